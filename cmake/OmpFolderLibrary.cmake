# omp_folder_library(NAME SOURCES ... DEPENDS ...): the library of one folder (one concern).
#
# Its headers are included as "FOLDER/name.hpp", and only by targets that link it: the
# library's include root is a directory of its own that holds a link to its folder and
# nothing else. An include of a folder that a target does not declare among its DEPENDS
# (directly or through a dependency's public headers) does not compile, so the map in
# README.md ("Development") is checked by every build, not hoped for.
function(omp_folder_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  set(root ${CMAKE_BINARY_DIR}/include-roots/${name})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${root}/${folder} SYMBOLIC)
  if(ARG_SOURCES)
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${root})
    target_link_libraries(${name} PUBLIC ${ARG_DEPENDS})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${root})
    target_link_libraries(${name} INTERFACE ${ARG_DEPENDS})
  endif()
endfunction()

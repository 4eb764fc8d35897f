// The files of STATE_DIR (the record journal, the open sessions): the directory, and a file
// replaced whole by a rename so a daemon killed mid-write leaves the previous one.
#pragma once

#include <string>

#include "common/result.hpp"

namespace omp {

// Creates STATE_DIR (mode 0700) unless it exists.
Status make_state_directory(const std::string& directory);

// Whether a replaced file is flushed to the disk itself before the rename: for what must
// survive a power loss, not only the death of this process.
enum class Durability { process_death, power_loss };

// Writes `text` to PATH.tmp (mode 0600) and renames it over `path`.
Status replace_file(const std::string& path, const std::string& text, Durability durability);

}  // namespace omp

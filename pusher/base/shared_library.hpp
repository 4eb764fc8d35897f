// A library loaded at run time rather than linked (libcurl, libmicrohttpd: panel/curl_library.hpp
// says why): opened once (dlopen counts references) and never unloaded, its functions resolved
// by name, the first missing one named. The loaders call need("SYMBOL", slot) for each function:
// debian/dlopen-deps.sh reads those calls to compute the package's dependencies.
#pragma once

#include <dlfcn.h>

#include <string>

#include "common/result.hpp"

namespace omp {

class SharedLibrary {
  public:
    // `package` is named in the error; so is `purpose` (what needs it), when given.
    static Result<SharedLibrary> open(const char* soname, const std::string& package,
                                      const std::string& purpose = "") {
        // RTLD_LOCAL: its symbols stay out of the global namespace; RTLD_NOW: a broken
        // installation fails here, with its name, not at the first use.
        void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* why = dlerror();
            return error(std::string("cannot load ") + soname + " (package " + package + ")" +
                         (purpose.empty() ? "" : ", needed by " + purpose) + ": " +
                         (why ? why : "unknown error"));
        }
        return SharedLibrary(handle, soname);
    }

    // Fills `slot` with the function `symbol`; after the first one missing, does nothing.
    template <typename Function>
    void need(const char* symbol, Function& slot) {
        if (missing_) return;
        slot = reinterpret_cast<Function>(dlsym(handle_, symbol));
        if (!slot) missing_ = symbol;
    }

    // After the need() calls: an error naming the first missing function, and `hint`.
    Status resolved(const std::string& hint = "") const {
        if (!missing_) return Ok{};
        return error(std::string(soname_) + " lacks " + missing_ +
                     (hint.empty() ? "" : " (" + hint + ")"));
    }

  private:
    SharedLibrary(void* handle, const char* soname) : handle_(handle), soname_(soname) {}

    void* handle_;
    const char* soname_;
    const char* missing_ = nullptr;
};

}  // namespace omp

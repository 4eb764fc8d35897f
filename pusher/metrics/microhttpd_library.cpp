#include "metrics/microhttpd_library.hpp"

#include <dlfcn.h>

#include <string>

namespace omp {

Result<MicrohttpdLibrary> MicrohttpdLibrary::load(const char* soname) {
    // RTLD_NOW: a broken installation fails at start, with its name, not at the first scrape.
    void* library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char* why = dlerror();
        return error(std::string("cannot load ") + soname +
                     " (package libmicrohttpd12), needed by --metrics-listen: " +
                     (why ? why : "unknown error"));
    }
    MicrohttpdLibrary mhd;
    const char* missing = nullptr;
    auto need = [&](const char* symbol, auto& slot) {
        using Function = std::remove_reference_t<decltype(slot)>;
        if (!missing && !(slot = reinterpret_cast<Function>(dlsym(library, symbol)))) {
            missing = symbol;
        }
    };
    need("MHD_start_daemon", mhd.start_daemon);
    need("MHD_stop_daemon", mhd.stop_daemon);
    need("MHD_get_daemon_info", mhd.get_daemon_info);
    need("MHD_run", mhd.run);
    need("MHD_get_timeout", mhd.get_timeout);
    need("MHD_create_response_from_buffer", mhd.create_response_from_buffer);
    need("MHD_add_response_header", mhd.add_response_header);
    need("MHD_queue_response", mhd.queue_response);
    need("MHD_destroy_response", mhd.destroy_response);
    need("MHD_basic_auth_get_username_password", mhd.basic_auth_get_username_password);
    need("MHD_queue_basic_auth_fail_response", mhd.queue_basic_auth_fail_response);
    need("MHD_free", mhd.free);
    if (missing) return error(std::string(soname) + " lacks " + missing);
    return mhd;
}

}  // namespace omp

#include "metrics/microhttpd_library.hpp"

#include <string>

#include "base/shared_library.hpp"

namespace omp {

Result<MicrohttpdLibrary> MicrohttpdLibrary::load(const char* soname) {
    // At start, with its name: a broken installation does not wait for the first scrape.
    auto library = SharedLibrary::open(soname, "libmicrohttpd12", "--metrics-listen");
    if (!library) return library.error();
    MicrohttpdLibrary mhd;
    auto need = [&](const char* symbol, auto& slot) { library->need(symbol, slot); };
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
    if (auto resolved = library->resolved(); !resolved) return resolved.error();
    return mhd;
}

}  // namespace omp

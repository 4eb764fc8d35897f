// libmicrohttpd, loaded only when metrics are served (--metrics-listen), as libcurl is loaded
// only to POST (panel/curl_library.hpp says why): Debian's libmicrohttpd12 brings GnuTLS,
// which a daemon without metrics, `snapshot` and `setup` should not map.
//
// Why libmicrohttpd and not prometheus-cpp: it hands its descriptor (one epoll fd) to the
// daemon's own poll loop and never blocks, so a scrape is served between events on the one
// thread that owns all state; prometheus-cpp runs its own server threads, which would need
// locks around that state. The text format is a few lines of code (metrics_text.cpp).
#pragma once

#include <microhttpd.h>

#include "common/result.hpp"

namespace omp {

struct MicrohttpdLibrary {
    static constexpr const char* kSoname = "libmicrohttpd.so.12";

    // Loads the library (once per process) and resolves every function below; the error
    // names the library and what is missing.
    static Result<MicrohttpdLibrary> load(const char* soname = kSoname);

    decltype(&::MHD_start_daemon) start_daemon = nullptr;
    decltype(&::MHD_stop_daemon) stop_daemon = nullptr;
    decltype(&::MHD_get_daemon_info) get_daemon_info = nullptr;
    decltype(&::MHD_run) run = nullptr;
    decltype(&::MHD_get_timeout) get_timeout = nullptr;
    decltype(&::MHD_create_response_from_buffer) create_response_from_buffer = nullptr;
    decltype(&::MHD_add_response_header) add_response_header = nullptr;
    decltype(&::MHD_queue_response) queue_response = nullptr;
    decltype(&::MHD_destroy_response) destroy_response = nullptr;
    decltype(&::MHD_basic_auth_get_username_password) basic_auth_get_username_password = nullptr;
    decltype(&::MHD_queue_basic_auth_fail_response) queue_basic_auth_fail_response = nullptr;
    decltype(&::MHD_free) free = nullptr;
};

}  // namespace omp

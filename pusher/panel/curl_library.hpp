// libcurl, loaded when a subcommand is about to POST rather than when the program starts.
//
// Why: linking Debian's libcurl4 maps its whole dependency tree (OpenSSL, GnuTLS, p11-kit,
// Kerberos, LDAP, SSH, RTMP, ...) into every process and relocates it at exec, about 6 MiB
// of resident pages before main() runs. `snapshot`, `setup`, `--help` and `--version` never
// speak HTTP and should not pay for it. systemd loads its optional libraries the same way.
//
// The function types come from <curl/curl.h> (the program is still built against libcurl's
// headers); the ABI is libcurl.so.4's, stable since 2006. easy_setopt and easy_getinfo are
// variadic, as in curl itself: pass long, pointer or curl_off_t exactly as curl documents.
#pragma once

#include <curl/curl.h>

#include "common/result.hpp"

namespace omp {

struct CurlLibrary {
    // The soname of libcurl4 (OpenSSL flavour), which the package depends on.
    static constexpr const char* kSoname = "libcurl.so.4";
    // CURLOPT_PROTOCOLS_STR arrived in 7.85.0; older libraries are refused at load.
    static constexpr unsigned kOldestVersion = 0x075500;

    // Loads the library (once per process; dlopen counts references) and resolves every
    // function below. The error names the library and what is missing. Never unloaded:
    // its TLS libraries register exit handlers.
    static Result<CurlLibrary> load(const char* soname = kSoname);

    decltype(&::curl_global_init) global_init = nullptr;
    decltype(&::curl_global_cleanup) global_cleanup = nullptr;
    decltype(&::curl_version_info) version_info = nullptr;
    decltype(&::curl_easy_init) easy_init = nullptr;
    decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
    decltype(&::curl_easy_setopt) easy_setopt = nullptr;
    decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
    decltype(&::curl_easy_strerror) easy_strerror = nullptr;
    decltype(&::curl_multi_init) multi_init = nullptr;
    decltype(&::curl_multi_cleanup) multi_cleanup = nullptr;
    decltype(&::curl_multi_add_handle) multi_add_handle = nullptr;
    decltype(&::curl_multi_remove_handle) multi_remove_handle = nullptr;
    decltype(&::curl_multi_perform) multi_perform = nullptr;
    decltype(&::curl_multi_poll) multi_poll = nullptr;
    decltype(&::curl_multi_info_read) multi_info_read = nullptr;
    decltype(&::curl_multi_strerror) multi_strerror = nullptr;
    decltype(&::curl_slist_append) slist_append = nullptr;
    decltype(&::curl_slist_free_all) slist_free_all = nullptr;
    decltype(&::curl_url) url = nullptr;
    decltype(&::curl_url_cleanup) url_cleanup = nullptr;
    decltype(&::curl_url_set) url_set = nullptr;
    decltype(&::curl_url_get) url_get = nullptr;
    decltype(&::curl_free) free = nullptr;
};

}  // namespace omp

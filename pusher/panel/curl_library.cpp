#include "panel/curl_library.hpp"

#include <string>

#include "base/shared_library.hpp"

namespace omp {

namespace {

std::string version_text(unsigned number) {
    return std::to_string(number >> 16) + "." + std::to_string((number >> 8) & 0xff) + "." +
           std::to_string(number & 0xff);
}

}  // namespace

Result<CurlLibrary> CurlLibrary::load(const char* soname) {
    auto library = SharedLibrary::open(soname, "libcurl4");
    if (!library) return library.error();
    CurlLibrary curl;
    auto need = [&](const char* symbol, auto& slot) { library->need(symbol, slot); };
    need("curl_global_init", curl.global_init);
    need("curl_global_cleanup", curl.global_cleanup);
    need("curl_version_info", curl.version_info);
    need("curl_easy_init", curl.easy_init);
    need("curl_easy_cleanup", curl.easy_cleanup);
    need("curl_easy_setopt", curl.easy_setopt);
    need("curl_easy_getinfo", curl.easy_getinfo);
    need("curl_easy_strerror", curl.easy_strerror);
    need("curl_multi_init", curl.multi_init);
    need("curl_multi_cleanup", curl.multi_cleanup);
    need("curl_multi_add_handle", curl.multi_add_handle);
    need("curl_multi_remove_handle", curl.multi_remove_handle);
    need("curl_multi_perform", curl.multi_perform);
    need("curl_multi_poll", curl.multi_poll);
    need("curl_multi_info_read", curl.multi_info_read);
    need("curl_multi_strerror", curl.multi_strerror);
    need("curl_slist_append", curl.slist_append);
    need("curl_slist_free_all", curl.slist_free_all);
    need("curl_url", curl.url);
    need("curl_url_cleanup", curl.url_cleanup);
    need("curl_url_set", curl.url_set);
    need("curl_url_get", curl.url_get);
    need("curl_free", curl.free);
    if (auto resolved = library->resolved("libcurl too old?"); !resolved) return resolved.error();

    const curl_version_info_data* info = curl.version_info(CURLVERSION_NOW);
    if (!info || info->version_num < kOldestVersion) {
        return error(std::string(soname) + " is libcurl " +
                     (info ? version_text(info->version_num) : "?") + "; ovpn-mgmt-push needs " +
                     version_text(kOldestVersion) + " or newer");
    }
    return curl;
}

}  // namespace omp

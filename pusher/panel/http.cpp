#include "panel/curl_library.hpp"
#include "panel/http_sender.hpp"
#include "panel/panel_client.hpp"

namespace omp {

Result<Http> Http::load() {
    auto curl = CurlLibrary::load();
    if (!curl) return curl.error();
    if (curl->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return error("libcurl failed to initialise");
    // The last copy cleans up; the library itself stays loaded (curl_library.hpp says why).
    auto shared =
        std::shared_ptr<const CurlLibrary>(new CurlLibrary(*curl), [](const CurlLibrary* library) {
            library->global_cleanup();
            delete library;
        });
    return Http(std::move(shared));
}

Status Http::validate_url(const std::string& url) const {
    return validate_panel_url(*curl_, url);
}

std::string Http::url_for_log(const std::string& url) const {
    return omp::url_for_log(*curl_, url);
}

std::unique_ptr<PanelClient> Http::client(PanelConfig config) const {
    return std::make_unique<HttpSender>(*curl_, std::move(config));
}

PostResult Http::post(PanelConfig config, std::string body) const {
    return HttpSender(*curl_, std::move(config)).post(std::move(body));
}

}  // namespace omp

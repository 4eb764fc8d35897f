#include "http_sender.hpp"

#include <memory>

namespace omp {

namespace {

struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

size_t discard_body(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

Status validate_panel_url(const std::string& url) {
    std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
    if (!parsed) return error("out of memory");
    if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
        return error("bad panel URL `" + url_for_log(url) + "': not a valid URL");
    }
    char* scheme = nullptr;
    curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0);
    std::string s = scheme ? scheme : "";
    curl_free(scheme);
    if (s != "http" && s != "https") {
        return error("bad panel URL `" + url_for_log(url) + "': scheme must be http or https");
    }
    return Ok{};
}

std::string url_for_log(const std::string& url) {
    std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
    if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
        // Not a URL: still never echo what could be user:password@.
        auto at = url.find('@');
        return at == std::string::npos ? url : "..." + url.substr(at);
    }
    curl_url_set(parsed.get(), CURLUPART_USER, nullptr, 0);
    curl_url_set(parsed.get(), CURLUPART_PASSWORD, nullptr, 0);
    char* text = nullptr;
    curl_url_get(parsed.get(), CURLUPART_URL, &text, 0);
    std::string out = text ? text : url;
    curl_free(text);
    return out;
}

HttpSender::HttpSender(PanelConfig config) : config_(std::move(config)) {
    multi_ = curl_multi_init();
    easy_ = curl_easy_init();
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(easy_, CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy_, CURLOPT_POST, 1L);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout.count()));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.total_timeout.count()));
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, "ovpn-mgmt-push");
    if (config_.ca_file) curl_easy_setopt(easy_, CURLOPT_CAINFO, config_.ca_file->c_str());
    if (config_.token) {
        curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
        curl_easy_setopt(easy_, CURLOPT_XOAUTH2_BEARER, config_.token->c_str());
    }
}

HttpSender::~HttpSender() {
    if (in_flight_) curl_multi_remove_handle(multi_, easy_);
    curl_easy_cleanup(easy_);
    curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
}

void HttpSender::start(std::string body) {
    body_ = std::move(body);
    error_buffer_[0] = '\0';
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_multi_add_handle(multi_, easy_);
    in_flight_ = true;
}

std::optional<PostResult> HttpSender::progress() {
    if (!in_flight_) return std::nullopt;
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE || msg->easy_handle != easy_) continue;
        PostResult result;
        CURLcode code = msg->data.result;
        curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &result.http_status);
        curl_multi_remove_handle(multi_, easy_);
        in_flight_ = false;
        if (code != CURLE_OK) {
            result.error = std::string("panel unreachable: ") +
                           (error_buffer_[0] ? error_buffer_ : curl_easy_strerror(code));
            result.kind = "curl " + std::to_string(static_cast<int>(code));
        } else if (result.http_status < 200 || result.http_status > 299) {
            result.error = "panel answered HTTP " + std::to_string(result.http_status);
            result.kind = "http " + std::to_string(result.http_status);
        } else {
            result.ok = true;
        }
        return result;
    }
    return std::nullopt;
}

PostResult HttpSender::post(std::string body) {
    start(std::move(body));
    while (true) {
        if (auto result = progress()) return *result;
        curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
}

}  // namespace omp

#include "panel/http_sender.hpp"

namespace omp {

namespace {

// A parsed URL, freed by the library that parsed it.
class ParsedUrl {
  public:
    ParsedUrl(const CurlLibrary& curl, const std::string& text) : curl_(curl), url_(curl.url()) {
        valid_ = url_ && curl.url_set(url_, CURLUPART_URL, text.c_str(), 0) == CURLUE_OK;
    }
    ~ParsedUrl() { curl_.url_cleanup(url_); }  // accepts nullptr
    ParsedUrl(const ParsedUrl&) = delete;
    ParsedUrl& operator=(const ParsedUrl&) = delete;

    bool valid() const { return valid_; }
    void clear(CURLUPart part) { curl_.url_set(url_, part, nullptr, 0); }
    std::string get(CURLUPart part) const {
        char* text = nullptr;
        curl_.url_get(url_, part, &text, 0);
        std::string out = text ? text : "";
        curl_.free(text);
        return out;
    }

  private:
    const CurlLibrary& curl_;
    CURLU* url_;
    bool valid_ = false;
};

size_t discard_body(char*, size_t size, size_t count, void*) {
    return size * count;
}

}  // namespace

Status validate_panel_url(const CurlLibrary& curl, const std::string& url) {
    ParsedUrl parsed(curl, url);
    if (!parsed.valid())
        return error("bad panel URL `" + url_for_log(curl, url) + "': not a valid URL");
    std::string scheme = parsed.get(CURLUPART_SCHEME);
    if (scheme != "http" && scheme != "https") {
        return error("bad panel URL `" + url_for_log(curl, url) +
                     "': scheme must be http or https");
    }
    return Ok{};
}

std::string url_for_log(const CurlLibrary& curl, const std::string& url) {
    ParsedUrl parsed(curl, url);
    if (parsed.valid()) {
        parsed.clear(CURLUPART_USER);
        parsed.clear(CURLUPART_PASSWORD);
        if (std::string out = parsed.get(CURLUPART_URL); !out.empty()) return out;
    }
    // Not a URL: still never echo what could be user:password@.
    auto at = url.find('@');
    return at == std::string::npos ? url : "..." + url.substr(at);
}

HttpSender::HttpSender(const CurlLibrary& curl, PanelConfig config)
    : curl_(curl), config_(std::move(config)) {
    multi_ = curl_.multi_init();
    easy_ = curl_.easy_init();
    headers_ = curl_.slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_.slist_append(headers_, "Expect:");  // no 100-continue round trip
    curl_.easy_setopt(easy_, CURLOPT_URL, config_.url.c_str());
    curl_.easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_.easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_.easy_setopt(easy_, CURLOPT_POST, 1L);
    curl_.easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_.easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_.easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_.easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_.easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                      static_cast<long>(config_.connect_timeout.count()));
    curl_.easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.total_timeout.count()));
    curl_.easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_.easy_setopt(easy_, CURLOPT_WRITEFUNCTION, discard_body);
    curl_.easy_setopt(easy_, CURLOPT_USERAGENT, "ovpn-mgmt-push");
    if (config_.ca_file) curl_.easy_setopt(easy_, CURLOPT_CAINFO, config_.ca_file->c_str());
    if (config_.token) {
        curl_.easy_setopt(easy_, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
        curl_.easy_setopt(easy_, CURLOPT_XOAUTH2_BEARER, config_.token->c_str());
    }
}

HttpSender::~HttpSender() {
    if (in_flight_) curl_.multi_remove_handle(multi_, easy_);
    curl_.easy_cleanup(easy_);
    curl_.multi_cleanup(multi_);
    curl_.slist_free_all(headers_);
}

void HttpSender::start(std::string body) {
    body_ = std::move(body);
    error_buffer_[0] = '\0';
    curl_.easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.data());
    curl_.easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_.multi_add_handle(multi_, easy_);
    in_flight_ = true;
}

std::optional<PostResult> HttpSender::progress() {
    if (!in_flight_) return std::nullopt;
    int running = 0;
    curl_.multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* msg = curl_.multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE || msg->easy_handle != easy_) continue;
        PostResult result;
        CURLcode code = msg->data.result;
        curl_.easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &result.http_status);
        curl_.multi_remove_handle(multi_, easy_);
        in_flight_ = false;
        if (code != CURLE_OK) {
            result.error = std::string("panel unreachable: ") +
                           (error_buffer_[0] ? error_buffer_ : curl_.easy_strerror(code));
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

Status HttpSender::wait(std::vector<pollfd>& fds, std::chrono::milliseconds timeout) {
    // curl_multi_poll reports our descriptors with its own flags, which are poll(2)'s.
    static_assert(CURL_WAIT_POLLIN == POLLIN && CURL_WAIT_POLLOUT == POLLOUT);
    std::vector<curl_waitfd> waits;
    waits.reserve(fds.size());
    for (const auto& p : fds) waits.push_back({p.fd, static_cast<short>(p.events), 0});
    CURLMcode rc = curl_.multi_poll(multi_, waits.data(), static_cast<unsigned>(waits.size()),
                                    static_cast<int>(timeout.count()), nullptr);
    if (rc != CURLM_OK) return error(std::string("poll failed: ") + curl_.multi_strerror(rc));
    for (std::size_t i = 0; i < fds.size(); ++i) fds[i].revents = waits[i].revents;
    return Ok{};
}

PostResult HttpSender::post(std::string body) {
    start(std::move(body));
    while (true) {
        if (auto result = progress()) return *result;
        curl_.multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
}

}  // namespace omp

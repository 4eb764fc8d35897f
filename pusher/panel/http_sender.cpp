#include "panel/http_sender.hpp"

#include "base/log.hpp"
#include "panel/gzip_body.hpp"

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

curl_slist* request_headers(const CurlLibrary& curl, bool gzip) {
    curl_slist* headers = curl.slist_append(nullptr, "Content-Type: application/json");
    headers = curl.slist_append(headers, "Expect:");  // no 100-continue round trip
    if (gzip) headers = curl.slist_append(headers, "Content-Encoding: gzip");
    return headers;
}

// Between POSTs the connection idles for an interval: probes find a panel that vanished
// without a FIN before the next POST has to, and keep middleboxes' state for it alive.
constexpr long kKeepAliveIdleSeconds = 30;
constexpr long kKeepAliveProbeSeconds = 15;

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

// Measured through nginx with TLS 1.3, the panel closing idle connections: Debian 12's libcurl
// 7.88.1 resumed 0 of 3 TLS sessions after an HTTP/2 connection ended (it offers the session,
// OpenSSL has marked it not resumable) and 3 of 3 after an HTTP/1.1 one; Debian 13's 8.14.1
// resumed 3 of 3 with HTTP/2. Versions between were not measured: they get HTTP/1.1, which
// costs the panel nothing here (one POST at a time needs no multiplexing; the headers are a
// few hundred bytes beside the body).
long http_version_for(unsigned libcurl_version) {
    return libcurl_version >= kHttp2KeepsSessionFrom ? CURL_HTTP_VERSION_2TLS
                                                     : CURL_HTTP_VERSION_1_1;
}

HttpSender::HttpSender(const CurlLibrary& curl, PanelConfig config)
    : curl_(curl), config_(std::move(config)), encoding_(config_.gzip) {
    multi_ = curl_.multi_init();
    easy_ = curl_.easy_init();
    plain_headers_ = request_headers(curl_, false);
    gzip_headers_ = request_headers(curl_, true);
    // One easy handle for the sender's life: its connection and its TLS session cache are
    // reused by every POST (the multi handle keeps the connection between them).
    curl_.easy_setopt(easy_, CURLOPT_URL, config_.url.c_str());
    curl_.easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_.easy_setopt(easy_, CURLOPT_HTTP_VERSION,
                      http_version_for(curl_.version_info(CURLVERSION_NOW)->version_num));
    curl_.easy_setopt(easy_, CURLOPT_SSL_SESSIONID_CACHE, 1L);
    curl_.easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_.easy_setopt(easy_, CURLOPT_TCP_KEEPIDLE, kKeepAliveIdleSeconds);
    curl_.easy_setopt(easy_, CURLOPT_TCP_KEEPINTVL, kKeepAliveProbeSeconds);
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
    curl_.slist_free_all(plain_headers_);
    curl_.slist_free_all(gzip_headers_);
}

void HttpSender::start(std::string body) {
    body_ = std::move(body);
    send(body_, encoding_.gzip_next());
}

void HttpSender::send(std::string_view body, bool gzip) {
    wire_.clear();
    if (gzip) {
        if (auto packed = gzip_body(body)) {
            wire_ = std::move(*packed);
            body = wire_;
        } else {
            log::error(packed.error().message + "; this POST goes uncompressed");
            gzip = false;
        }
    }
    sent_gzip_ = gzip;
    error_buffer_[0] = '\0';
    curl_.easy_setopt(easy_, CURLOPT_HTTPHEADER, gzip ? gzip_headers_ : plain_headers_);
    curl_.easy_setopt(easy_, CURLOPT_POSTFIELDS, body.data());
    curl_.easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
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
        if (code == CURLE_OK) {
            if (auto fallback = encoding_.answered(result.http_status, sent_gzip_)) {
                log::warning(*fallback);
                send(body_, false);  // the same payload, plain, at once: nothing is lost
                return std::nullopt;
            }
        }
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

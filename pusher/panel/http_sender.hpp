// The HTTP sender: the libcurl PanelClient. POSTs one payload at a time; the daemon drives it
// from its poll loop through wait() and progress(), `push` waits for it with post().
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "panel/body_encoding.hpp"
#include "panel/curl_library.hpp"
#include "panel/panel_client.hpp"
#include "panel/panel_config.hpp"

namespace omp {

// Checks that the URL is http(s) and well formed (by libcurl's own parser); the message
// quotes it.
Status validate_panel_url(const CurlLibrary& curl, const std::string& url);
// The URL without user:password, for log lines.
std::string url_for_log(const CurlLibrary& curl, const std::string& url);

// CURLOPT_HTTP_VERSION for the loaded libcurl: HTTP/2 where the TLS session survives the end
// of an HTTP/2 connection, HTTP/1.1 keep-alive before that.
long http_version_for(unsigned libcurl_version);
inline constexpr unsigned kHttp2KeepsSessionFrom = 0x080e01;

class HttpSender final : public PanelClient {
  public:
    HttpSender(const CurlLibrary& curl, PanelConfig config);
    ~HttpSender();
    HttpSender(const HttpSender&) = delete;
    HttpSender& operator=(const HttpSender&) = delete;

    void start(std::string body) override;
    bool in_flight() const override { return in_flight_; }
    std::optional<PostResult> progress() override;
    // curl_multi_poll: the caller's descriptors and curl's own in one wait.
    Status wait(std::vector<pollfd>& fds, std::chrono::milliseconds timeout) override;

    // start() and wait, for one-shot commands.
    PostResult post(std::string body);

  private:
    void send(std::string_view body, bool gzip);

    const CurlLibrary& curl_;
    PanelConfig config_;
    CURLM* multi_ = nullptr;
    CURL* easy_ = nullptr;
    curl_slist* plain_headers_ = nullptr;
    curl_slist* gzip_headers_ = nullptr;
    BodyEncoding encoding_;
    std::string body_;  // the payload as given
    std::string wire_;  // what goes out: body_ compressed, or empty when body_ goes as is
    bool sent_gzip_ = false;
    char error_buffer_[CURL_ERROR_SIZE] = {};
    bool in_flight_ = false;
};

}  // namespace omp

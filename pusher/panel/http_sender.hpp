// The HTTP sender: the libcurl PanelClient. POSTs one payload at a time; the daemon drives it
// from its poll loop through wait() and progress(), `push` waits for it with post().
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "panel/curl_library.hpp"
#include "panel/panel_client.hpp"
#include "panel/panel_config.hpp"

namespace omp {

// Checks that the URL is http(s) and well formed (by libcurl's own parser); the message
// quotes it.
Status validate_panel_url(const CurlLibrary& curl, const std::string& url);
// The URL without user:password, for log lines.
std::string url_for_log(const CurlLibrary& curl, const std::string& url);

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
    const CurlLibrary& curl_;
    PanelConfig config_;
    CURLM* multi_ = nullptr;
    CURL* easy_ = nullptr;
    curl_slist* headers_ = nullptr;
    std::string body_;
    char error_buffer_[CURL_ERROR_SIZE] = {};
    bool in_flight_ = false;
};

}  // namespace omp

// The HTTP sender: POSTs one payload to the panel with libcurl. One transfer at a time; the
// daemon drives it from its poll loop through multi_handle(), `push` waits for it.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <string>

#include "curl_library.hpp"
#include "result.hpp"

namespace omp {

struct PanelConfig {
    std::string url;
    std::optional<std::string> token;    // sent as Authorization: Bearer, never logged
    std::optional<std::string> ca_file;  // for panels behind a private CA
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds total_timeout{5000};
};

struct PostResult {
    bool ok = false;        // a 2xx answer
    long http_status = 0;   // 0 when no answer
    std::string error;      // names the status or the transport failure
    // What kind of failure, without details that vary between attempts (curl's messages
    // carry timings): one kind, one episode, one log line.
    std::string kind;
};

// Checks that the URL is http(s) and well formed (by libcurl's own parser); the message
// quotes it.
Status validate_panel_url(const CurlLibrary& curl, const std::string& url);
// The URL without user:password, for log lines.
std::string url_for_log(const CurlLibrary& curl, const std::string& url);

class HttpSender {
public:
    HttpSender(const CurlLibrary& curl, PanelConfig config);
    ~HttpSender();
    HttpSender(const HttpSender&) = delete;
    HttpSender& operator=(const HttpSender&) = delete;

    // Starts a POST; at most one is in flight.
    void start(std::string body);
    bool in_flight() const { return in_flight_; }
    // Lets curl progress; returns the result once the transfer ended.
    std::optional<PostResult> progress();
    CURLM* multi_handle() const { return multi_; }

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

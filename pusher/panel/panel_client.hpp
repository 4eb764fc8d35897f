// The panel as the rest of the program sees it, free of libcurl's headers: a client that
// POSTs one payload at a time from the caller's poll loop (the seam the daemon's unit tests
// replace), and the HTTP library that makes such clients.
#pragma once

#include <poll.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "panel/panel_config.hpp"

namespace omp {

class PanelClient {
  public:
    virtual ~PanelClient() = default;

    // Starts a POST; at most one is in flight.
    virtual void start(std::string body) = 0;
    virtual bool in_flight() const = 0;
    // Lets the transfer progress; returns the result once it ended.
    virtual std::optional<PostResult> progress() = 0;
    // The loop's only wait: until one of `fds` is ready, the transfer needs attention, or
    // `timeout` passes. Fills each pollfd's revents.
    virtual Status wait(std::vector<pollfd>& fds, std::chrono::milliseconds timeout) = 0;
};

struct CurlLibrary;

// libcurl, loaded and initialised for this process (curl_library.hpp says why it is loaded
// late). Copies share the one library.
class Http {
  public:
    static Result<Http> load();

    // Checks that the URL is http(s) and well formed (by libcurl's own parser); the message
    // quotes it.
    Status validate_url(const std::string& url) const;
    // The URL without user:password, for log lines.
    std::string url_for_log(const std::string& url) const;

    std::unique_ptr<PanelClient> client(PanelConfig config) const;
    // One POST, waited for: for the one-shot commands.
    PostResult post(PanelConfig config, std::string body) const;

  private:
    explicit Http(std::shared_ptr<const CurlLibrary> curl) : curl_(std::move(curl)) {}
    std::shared_ptr<const CurlLibrary> curl_;
};

}  // namespace omp

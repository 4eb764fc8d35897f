// `GET /metrics` over HTTP, served by libmicrohttpd from the daemon's own loop: the loop polls
// fd() with its other descriptors and calls run(), which never blocks. A scraper that connects
// and sends nothing, or reads slowly, holds a connection (at most kMaxConnections, each closed
// after kIdleTimeout) and nothing else: no event, poll or POST waits for it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "metrics/metrics_config.hpp"
#include "metrics/microhttpd_library.hpp"

namespace omp {

class MetricsServer {
  public:
    using Render = std::function<std::string()>;
    static constexpr unsigned kMaxConnections = 32;
    static constexpr unsigned kIdleTimeoutSeconds = 10;

    // Binds config.address; the error names it.
    static Result<std::unique_ptr<MetricsServer>> start(const MetricsConfig& config, Render render);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    int fd() const { return epoll_fd_; }  // readable when a connection has work
    void run();                           // serves what is ready, without blocking
    // How long the loop may wait before run() is due again (libmicrohttpd's own timers, and
    // data it has buffered); none: only when fd() is readable.
    std::optional<std::chrono::milliseconds> timeout() const;
    std::uint64_t scrapes() const { return scrapes_; }

  private:
    MetricsServer(MicrohttpdLibrary mhd, const MetricsConfig& config, Render render);
    static MHD_Result answer(void* self, MHD_Connection* connection, const char* url,
                             const char* method, const char* version, const char* upload,
                             size_t* upload_size, void** request);
    MHD_Result respond(MHD_Connection* connection, unsigned status, const std::string& body,
                       const char* content_type);
    bool authorised(MHD_Connection* connection) const;

    MicrohttpdLibrary mhd_;
    MetricsConfig config_;
    Render render_;
    MHD_Daemon* daemon_ = nullptr;
    int epoll_fd_ = -1;
    std::uint64_t scrapes_ = 0;
};

}  // namespace omp

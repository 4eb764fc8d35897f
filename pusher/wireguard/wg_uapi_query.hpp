// A userspace WireGuard interface (wireguard-go, boringtun) read over its UAPI socket:
// connect, `get=1`, read up to the errno line, close. Non-blocking in the caller's poll loop,
// with the query deadline; no process is started.
#pragma once

#include <memory>
#include <string>

#include "wireguard/wg_peer_names.hpp"
#include "wireguard/wg_source.hpp"

namespace omp {

class WgUapiQuery final : public WgQuery {
  public:
    WgUapiQuery(const WgInterface& source, std::string socket_path, WgOptions options,
                std::shared_ptr<const PeerNames> names, SteadyClock::time_point now);
    ~WgUapiQuery() override { release(); }

    int fd() const override { return fd_; }
    short poll_events() const override;

  private:
    std::string timeout_message() const override;
    void on_ready(short revents) override;
    void release() override;

    void connect_socket();
    void send_request();
    void read_available();

    std::string socket_path_;
    int fd_ = -1;
    bool connecting_ = false;
    std::string request_ = "get=1\n\n";  // what is left to send
    SecretText answer_;
};

}  // namespace omp

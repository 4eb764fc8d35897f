// A userspace WireGuard interface (wireguard-go, boringtun) read over its UAPI socket:
// connect, `get=1`, read up to the errno line, close. Non-blocking in the caller's poll loop,
// with the query deadline; no process is started.
#pragma once

#include <memory>
#include <string>

#include "query/source_query.hpp"
#include "wireguard/wg_peer_names.hpp"
#include "wireguard/wg_source.hpp"

namespace omp {

class WgUapiQuery final : public SourceQuery {
public:
    WgUapiQuery(const WgInterface& source, std::string socket_path, WgOptions options,
                std::shared_ptr<const PeerNames> names, SteadyClock::time_point now);
    ~WgUapiQuery() override;
    WgUapiQuery(const WgUapiQuery&) = delete;
    WgUapiQuery& operator=(const WgUapiQuery&) = delete;

    int fd() const override { return finished_ ? -1 : fd_; }
    short poll_events() const override;
    SteadyClock::time_point deadline() const override { return started_ + options_.timeout; }
    void advance(short revents, SteadyClock::time_point now) override;
    bool finished() const override { return finished_; }
    SourceReport take_report() override { return std::move(report_); }

private:
    void connect_socket();
    void send_request();
    void read_available();
    void finish_ok();
    void finish_error(const std::string& what);
    void close_fd();

    WgInterface source_;
    std::string socket_path_;
    WgOptions options_;
    std::shared_ptr<const PeerNames> names_;
    SteadyClock::time_point started_;
    int fd_ = -1;
    bool connecting_ = false;
    std::string request_ = "get=1\n\n";  // what is left to send
    std::string answer_;
    bool finished_ = false;
    SourceReport report_;
};

}  // namespace omp

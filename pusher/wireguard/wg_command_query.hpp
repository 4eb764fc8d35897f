// A WireGuard interface read with `wg show IFACE dump`: for kernel interfaces, which wg reads
// over netlink (wg_source.hpp says when). The child runs with a minimal environment (the
// panel token never reaches it), an empty signal mask and stdin on /dev/null; its output pipe
// joins the caller's poll loop, and the query's deadline kills it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "query/source_query.hpp"
#include "wireguard/wg_peer_names.hpp"
#include "wireguard/wg_source.hpp"

namespace omp {

class WgCommandQuery final : public SourceQuery {
public:
    WgCommandQuery(const WgInterface& source, WgOptions options, std::shared_ptr<const PeerNames> names,
                   SteadyClock::time_point now);
    ~WgCommandQuery() override;
    WgCommandQuery(const WgCommandQuery&) = delete;
    WgCommandQuery& operator=(const WgCommandQuery&) = delete;

    int fd() const override;
    short poll_events() const override { return finished_ ? 0 : POLLIN; }
    SteadyClock::time_point deadline() const override { return started_ + options_.timeout; }
    void advance(short revents, SteadyClock::time_point now) override;
    bool finished() const override { return finished_; }
    SourceReport take_report() override { return std::move(report_); }

private:
    void spawn();
    void read_available();
    void try_reap(bool block);
    void finish(int wait_status);
    void finish_error(const std::string& what);
    void kill_child();
    void close_fds();

    WgInterface source_;
    WgOptions options_;
    std::shared_ptr<const PeerNames> names_;
    SteadyClock::time_point started_;
    pid_t pid_ = -1;      // until reaped
    int pipe_fd_ = -1;    // the child's stdout and stderr, until EOF
    int pidfd_ = -1;      // readable once the child has exited
    bool finished_ = false;
    std::string output_;
    SourceReport report_;
};

}  // namespace omp

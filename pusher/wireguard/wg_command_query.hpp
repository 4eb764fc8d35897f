// A WireGuard interface read with `wg show IFACE dump`: for kernel interfaces, which wg reads
// over netlink (wg_source.hpp says when). The child runs with a minimal environment (the
// panel token never reaches it), an empty signal mask and stdin on /dev/null; its output pipe
// joins the caller's poll loop, and the query's deadline kills it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "wireguard/wg_peer_names.hpp"
#include "wireguard/wg_source.hpp"

namespace omp {

class WgCommandQuery final : public WgQuery {
  public:
    WgCommandQuery(const WgInterface& source, WgOptions options,
                   std::shared_ptr<const PeerNames> names, SteadyClock::time_point now);
    ~WgCommandQuery() override { release(); }

    int fd() const override;
    short poll_events() const override { return finished() ? 0 : POLLIN; }

  private:
    std::string timeout_message() const override;
    void on_ready(short revents) override;
    void release() override;

    void spawn();
    void read_available();
    void try_reap(bool block);
    void finish(int wait_status);
    void kill_child();

    pid_t pid_ = -1;    // until reaped
    int pipe_fd_ = -1;  // the child's stdout and stderr, until EOF
    int pidfd_ = -1;    // readable once the child has exited
    SecretText output_;
};

}  // namespace omp

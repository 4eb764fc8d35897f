// The WireGuard source: one `wg show IFACE dump` per poll. `wg` reads kernel interfaces over
// netlink and userspace ones (wireguard-go, boringtun) over their UAPI socket in
// /run/wireguard, so one path serves both; running it costs about a millisecond of CPU per
// interface and poll (README, "WireGuard sources"). The child runs with a minimal environment
// (the panel token never reaches it), an empty signal mask and stdin on /dev/null; its
// output pipe joins the caller's poll loop, and the query's deadline kills it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"
#include "source_query.hpp"
#include "wg_peer_names.hpp"

namespace omp {

// `--wg NAME=IFACE`: NAME is the payload's proto and the source's name.
struct WgInterface {
    std::string name;
    std::string iface;
};

Result<WgInterface> parse_wg_interface(std::string_view name_equals_iface);
Result<std::vector<WgInterface>> parse_wg_interface_list(std::string_view list);

struct WgOptions {
    std::chrono::milliseconds timeout{2000};
    std::chrono::seconds handshake_timeout{180};
    std::string command = "wg";  // looked up in PATH
};

class WgQuery final : public SourceQuery {
public:
    WgQuery(const WgInterface& source, WgOptions options, std::shared_ptr<const PeerNames> names,
            SteadyClock::time_point now);
    ~WgQuery() override;
    WgQuery(const WgQuery&) = delete;
    WgQuery& operator=(const WgQuery&) = delete;

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

SourceQueries start_wg_queries(const std::vector<WgInterface>& interfaces, const WgOptions& options,
                               const std::shared_ptr<const PeerNames>& names, SteadyClock::time_point now);

}  // namespace omp

// The management client: one short connection per query to an OpenVPN management interface
// (OpenVPN serves one management client at a time, so the connection is never held open).
// Non-blocking, so the daemon's poll loop can run several queries beside its other work;
// every step has a deadline.
#pragma once

#include <poll.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "endpoint.hpp"
#include "mgmt_conversation.hpp"
#include "source_report.hpp"

namespace omp {

using SteadyClock = std::chrono::steady_clock;

struct QueryTimeouts {
    std::chrono::milliseconds connect{1000};
    std::chrono::milliseconds total{2000};
};

class MgmtQuery {
public:
    MgmtQuery(const Endpoint& endpoint, std::optional<std::string> password,
              QueryTimeouts timeouts, SteadyClock::time_point now);
    ~MgmtQuery();
    MgmtQuery(const MgmtQuery&) = delete;
    MgmtQuery& operator=(const MgmtQuery&) = delete;

    // -1 once finished.
    int fd() const { return fd_; }
    short poll_events() const;
    SteadyClock::time_point deadline() const;

    // Call with the fd's revents (0 when only time passed).
    void advance(short revents, SteadyClock::time_point now);

    bool finished() const { return finished_; }
    SourceReport take_report() { return std::move(report_); }

private:
    void start_connect();
    void on_connected();
    void read_available();
    void ack_quickly();
    void flush_output();
    void finish_ok();
    void finish_error(const std::string& what);
    void close_fd();

    Endpoint endpoint_;  // a copy: a reload may replace the settings mid-query
    QueryTimeouts timeouts_;
    SteadyClock::time_point started_;
    MgmtConversation conversation_;
    int fd_ = -1;
    bool connecting_ = false;
    bool finished_ = false;
    std::string output_;
    SourceReport report_;
};

// Queries every endpoint at once and waits for all (deadlines included): for `snapshot`
// and `push`, which have no other work to do meanwhile.
std::vector<SourceReport> query_all(const std::vector<Endpoint>& endpoints,
                                    const std::optional<std::string>& password,
                                    QueryTimeouts timeouts);

}  // namespace omp

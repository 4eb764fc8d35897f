// One poll of one source (an OpenVPN management endpoint or a WireGuard interface), driven
// by the caller's poll loop: the daemon runs every source's query beside its other work, and
// `snapshot`/`push` run them with `run_queries`. Every query has a deadline and ends in a
// SourceReport, never in an exception.
#pragma once

#include <poll.h>

#include <chrono>
#include <memory>
#include <vector>

#include "core/source_report.hpp"

namespace omp {

using SteadyClock = std::chrono::steady_clock;

// A query's SourceReport::took.
inline std::chrono::microseconds elapsed_since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
}

class SourceQuery {
  public:
    virtual ~SourceQuery() = default;

    // The descriptor to wait on and what for; -1 once finished.
    virtual int fd() const = 0;
    virtual short poll_events() const = 0;
    virtual SteadyClock::time_point deadline() const = 0;

    // Call with the fd's revents (0 when only time passed).
    virtual void advance(short revents, SteadyClock::time_point now) = 0;

    virtual bool finished() const = 0;
    virtual SourceReport take_report() = 0;
};

using SourceQueries = std::vector<std::unique_ptr<SourceQuery>>;

// Waits for every query (deadlines included), for callers with no other work meanwhile.
std::vector<SourceReport> run_queries(SourceQueries queries);

}  // namespace omp

// Live bandwidth per session: the counter deltas between two consecutive polls of the same
// session, divided by the time between them. A session is its source, common name, real
// address and port (a WireGuard peer: its public key), and connected-since time, never just a
// username: a reconnect is a new session and starts at 0, and counters that went backwards (a
// reset) give 0, never a negative or absurd rate.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/source_report.hpp"

namespace omp {

class RateTracker {
  public:
    using Clock = std::chrono::steady_clock;

    // Fills rx_bps/tx_bps of every session in the reports polled at `now`, then remembers
    // them. Sessions of a source that answered but no longer lists them are forgotten.
    void update(std::vector<SourceReport>& reports, Clock::time_point now);
    std::size_t tracked() const { return last_.size(); }

  private:
    // One run of a session: its key and when it started (a reconnect is a new run).
    using Key = std::pair<SessionKey, std::int64_t>;
    struct Sample {
        std::uint64_t bytes_received;
        std::uint64_t bytes_sent;
        Clock::time_point at;
    };
    std::map<Key, Sample> last_;
};

}  // namespace omp

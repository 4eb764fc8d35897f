// What the daemon's last cycles saw, written by the CycleRunner alone and read by everything
// that reports on it: GET /metrics, systemd's status line, the management proxies. Each fact is
// kept once, here: the last snapshot (with the sources' reports, whose complete management
// answers the proxies replay), how long cycles take, and how the POSTs ended.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/merger.hpp"
#include "core/mgmt_transcript.hpp"

namespace omp {

// How long cycles take, from the start of the poll to the payload being ready to POST.
class CycleHistogram {
  public:
    static constexpr std::array<double, 11> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                       0.5,   1,    2.5,   5,    10};
    void observe(double seconds);
    // Cumulative, as Prometheus wants: how many took at most kBounds[i].
    std::uint64_t at_most(std::size_t i) const { return buckets_[i]; }
    std::uint64_t count() const { return count_; }
    double sum() const { return sum_; }

  private:
    std::array<std::uint64_t, kBounds.size()> buckets_{};
    std::uint64_t count_ = 0;
    double sum_ = 0;
};

class CycleRecord {
  public:
    using Clock = std::chrono::steady_clock;

    // A cycle's poll is merged: its snapshot, and how long the cycle took to get there.
    void polled(Snapshot snapshot, double seconds);
    // A POST ended: accepted (2xx) or not, and why not. `epoch_now` is the wall clock's second.
    void posted(bool ok, const std::string& failure, Clock::time_point now, std::int64_t epoch_now);

    // The last cycle's snapshot; none before the first.
    const Snapshot* snapshot() const { return snapshot_ ? &*snapshot_ : nullptr; }
    // The instance's answers at the last poll, if that poll was complete; a source that failed
    // has none, so a proxy never replays an answer older than one interval.
    const MgmtTranscript* transcript(const std::string& source) const;
    const CycleHistogram& durations() const { return durations_; }

    std::uint64_t posts_ok() const { return posts_ok_; }
    std::uint64_t posts_failed() const { return posts_failed_; }
    std::uint64_t posts_finished() const { return posts_ok_ + posts_failed_; }
    std::optional<Clock::time_point> last_success() const { return last_success_; }
    std::optional<std::int64_t> last_success_epoch() const { return last_success_epoch_; }
    // Why the newest POST failed; empty when it succeeded (or none ended yet).
    const std::string& last_failure() const { return last_failure_; }

  private:
    std::optional<Snapshot> snapshot_;
    CycleHistogram durations_;
    std::uint64_t posts_ok_ = 0;
    std::uint64_t posts_failed_ = 0;
    std::optional<Clock::time_point> last_success_;
    std::optional<std::int64_t> last_success_epoch_;
    std::string last_failure_;
};

}  // namespace omp

// The Prometheus text format (version 0.0.4) of the daemon's state after its last cycle:
// what `GET /metrics` answers. Built from what the loop already holds, so a scrape never
// queries a source; a part that owns no descriptor, so a unit test reads its output.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/merger.hpp"
#include "core/payload.hpp"

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

struct MetricsState {
    const Snapshot* snapshot = nullptr;  // the last cycle's; none before the first
    bool per_session = true;             // false: --metrics-no-sessions
    std::uint64_t posts_ok = 0;
    std::uint64_t posts_error = 0;
    std::optional<double> last_success_epoch;  // seconds
    std::size_t records_pending = 0;
    std::uint64_t records_dropped = 0;
    EventSocketCounters datagrams;
    const CycleHistogram* cycles = nullptr;
};

std::string render_metrics(const MetricsState& state);

// A label value as the text format wants it: \ " and newline escaped.
void append_label_value(std::string& out, std::string_view value);

}  // namespace omp

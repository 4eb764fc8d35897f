// The Prometheus text format (version 0.0.4) of the daemon's state after its last cycle:
// what `GET /metrics` answers. Built from what the loop already holds, so a scrape never
// queries a source; a part that owns no descriptor, so a unit test reads its output.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/cycle_record.hpp"
#include "core/merger.hpp"
#include "core/payload.hpp"

namespace omp {

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

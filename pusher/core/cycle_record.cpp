#include "core/cycle_record.hpp"

namespace omp {

void CycleHistogram::observe(double seconds) {
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        if (seconds <= kBounds[i]) ++buckets_[i];
    }
    ++count_;
    sum_ += seconds;
}

void CycleRecord::polled(Snapshot snapshot, double seconds) {
    snapshot_ = std::move(snapshot);
    durations_.observe(seconds);
}

void CycleRecord::posted(bool ok, const std::string& failure, Clock::time_point now,
                         std::int64_t epoch_now) {
    if (ok) {
        ++posts_ok_;
        last_success_ = now;
        last_success_epoch_ = epoch_now;
        last_failure_.clear();
        return;
    }
    ++posts_failed_;
    last_failure_ = failure.empty() ? "no answer" : failure;
}

const MgmtTranscript* CycleRecord::transcript(const std::string& source) const {
    if (!snapshot_) return nullptr;
    for (const auto& report : snapshot_->reports) {
        if (report.name == source)
            return report.ok && report.status.transcript ? report.status.transcript.get() : nullptr;
    }
    return nullptr;
}

}  // namespace omp

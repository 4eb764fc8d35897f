#include "daemon/panel_backoff.hpp"

#include <algorithm>

namespace omp {

std::optional<std::string> PanelBackoff::failed(const PostResult& result, Clock::time_point now,
                                                Clock::duration interval) {
    ++failures_;
    auto backoff = std::chrono::milliseconds(250) * (1 << std::min(failures_, 10));
    retry_at_ = now + std::min<Clock::duration>(backoff, interval);
    if (result.kind == logged_kind_ && now - logged_at_ <= std::chrono::minutes(10))
        return std::nullopt;
    logged_kind_ = result.kind;
    logged_at_ = now;
    return result.error +
           (failures_ > 1 ? " (" + std::to_string(failures_) + " failures in a row)" : "");
}

std::optional<std::string> PanelBackoff::succeeded(Clock::time_point now) {
    int ended = failures_;
    failures_ = 0;
    logged_kind_.clear();
    retry_at_ = now;
    if (ended == 0) return std::nullopt;
    return "panel accepts posts again after " + std::to_string(ended) + " failed";
}

}  // namespace omp

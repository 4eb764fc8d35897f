#include "daemon/panel_backoff.hpp"

#include <algorithm>

namespace omp {

std::optional<std::string> PanelBackoff::failed(const PostResult& result, Clock::time_point now,
                                                Clock::duration interval) {
    auto say = episode_.failed(result.kind, now);
    int failures = episode_.failures();
    auto backoff = std::chrono::milliseconds(250) * (1 << std::min(failures, 10));
    retry_at_ = now + std::min<Clock::duration>(backoff, interval);
    if (say == FailureEpisode::Say::nothing) return std::nullopt;
    return result.error +
           (failures > 1 ? " (" + std::to_string(failures) + " failures in a row)" : "");
}

std::optional<std::string> PanelBackoff::succeeded(Clock::time_point now) {
    int ended = episode_.succeeded();
    retry_at_ = now;
    if (ended == 0) return std::nullopt;
    return "panel accepts posts again after " + std::to_string(ended) + " failed";
}

}  // namespace omp

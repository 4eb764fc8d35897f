#include "daemon/source_health.hpp"

namespace omp {

std::vector<SourceHealth::Line> SourceHealth::update(const std::vector<SourceReport>& reports,
                                                     Clock::time_point now) {
    std::vector<Line> lines;
    for (const auto& r : reports) {
        if (r.ok) {
            auto it = failing_.find(r.name);
            if (it == failing_.end()) continue;
            lines.push_back({log::Level::info, "source " + r.name + " answers again after " +
                                                   std::to_string(it->second.succeeded()) +
                                                   " failed poll(s)"});
            failing_.erase(it);
            continue;
        }
        FailureEpisode& episode = failing_[r.name];
        auto say = episode.failed(r.error, now);
        if (say == FailureEpisode::Say::started) {
            lines.push_back({log::Level::warning, "source " + r.name + ": " + r.error});
        } else if (say == FailureEpisode::Say::reminder) {
            lines.push_back({log::Level::warning, "source " + r.name + ": " + r.error + " (" +
                                                      std::to_string(episode.failures()) +
                                                      " failed polls in a row)"});
        }
    }
    return lines;
}

}  // namespace omp

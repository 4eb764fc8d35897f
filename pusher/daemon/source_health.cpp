#include "daemon/source_health.hpp"

namespace omp {

std::vector<SourceHealth::Line> SourceHealth::update(const std::vector<SourceReport>& reports,
                                                     Clock::time_point now) {
    std::vector<Line> lines;
    for (const auto& r : reports) {
        auto it = failing_.find(r.name);
        if (r.ok) {
            if (it == failing_.end()) continue;
            lines.push_back({log::Level::info, "source " + r.name + " answers again after " +
                                                   std::to_string(it->second.failed_polls) +
                                                   " failed poll(s)"});
            failing_.erase(it);
            continue;
        }
        if (it == failing_.end() || it->second.error != r.error) {
            failing_[r.name] = Episode{r.error, now, 1};
            lines.push_back({log::Level::warning, "source " + r.name + ": " + r.error});
            continue;
        }
        Episode& episode = it->second;
        ++episode.failed_polls;
        if (now - episode.logged >= kReminder) {
            episode.logged = now;
            lines.push_back({log::Level::warning, "source " + r.name + ": " + r.error + " (" +
                                                      std::to_string(episode.failed_polls) +
                                                      " failed polls in a row)"});
        }
    }
    return lines;
}

}  // namespace omp

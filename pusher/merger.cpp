#include "merger.hpp"

#include <algorithm>
#include <unordered_map>

namespace omp {

namespace {

SourceSummary summarize(const SourceReport& r) {
    return SourceSummary{r.name,
                         r.kind,
                         r.ok,
                         r.error,
                         r.status.sessions.size(),
                         r.status.half_open,
                         r.status.malformed_rows,
                         static_cast<double>(r.took.count()) / 1000.0};
}

}  // namespace

Snapshot merge_reports(std::vector<SourceReport> reports) {
    Snapshot snapshot;
    std::size_t total = 0;
    for (const auto& r : reports) total += r.status.sessions.size();

    std::unordered_map<std::string, std::size_t> by_username;
    by_username.reserve(total);
    snapshot.users.reserve(total);
    for (auto& r : reports) {
        snapshot.sources.push_back(summarize(r));
        for (auto& s : r.status.sessions) {
            auto found = by_username.find(s.username);
            if (found == by_username.end()) {
                by_username.emplace(s.username, snapshot.users.size());
                snapshot.users.push_back(std::move(s));
            } else if (s.connected_at > snapshot.users[found->second].connected_at) {
                snapshot.users[found->second] = std::move(s);
            }
        }
    }
    std::sort(snapshot.users.begin(), snapshot.users.end(),
              [](const Session& a, const Session& b) { return a.username < b.username; });
    return snapshot;
}

}  // namespace omp

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

    // Pick the winners by pointer, without moving anything, so the map's keys (views of the
    // reports' own strings) stay valid; then move each winner exactly once, sorted.
    std::vector<Session*> winners;
    winners.reserve(total);
    std::unordered_map<std::string_view, std::size_t> by_username;
    by_username.reserve(total);
    for (auto& r : reports) {
        snapshot.sources.push_back(summarize(r));
        for (auto& s : r.status.sessions) {
            auto [slot, inserted] = by_username.try_emplace(s.username, winners.size());
            if (inserted) {
                winners.push_back(&s);
            } else if (s.connected_at > winners[slot->second]->connected_at) {
                winners[slot->second] = &s;
            }
        }
    }
    std::sort(winners.begin(), winners.end(),
              [](const Session* a, const Session* b) { return a->username < b->username; });
    snapshot.users.reserve(winners.size());
    for (Session* s : winners) snapshot.users.push_back(std::move(*s));
    return snapshot;
}

}  // namespace omp

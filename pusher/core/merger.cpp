#include "core/merger.hpp"

#include <algorithm>

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
    snapshot.reports = std::move(reports);
    std::size_t total = 0;
    for (const auto& r : snapshot.reports) {
        snapshot.sources.push_back(summarize(r));
        total += r.status.sessions.size();
    }
    // Sort every session by username, the most recent first within a name (the earlier
    // endpoint first on a tie); the first of each run of equal names is that user.
    std::vector<const Session*> all;
    all.reserve(total);
    for (const auto& r : snapshot.reports) {
        for (const auto& s : r.status.sessions) all.push_back(&s);
    }
    std::stable_sort(all.begin(), all.end(), [](const Session* a, const Session* b) {
        if (a->username != b->username) return a->username < b->username;
        return a->connected_at > b->connected_at;
    });
    all.erase(
        std::unique(all.begin(), all.end(),
                    [](const Session* a, const Session* b) { return a->username == b->username; }),
        all.end());
    snapshot.users = std::move(all);
    return snapshot;
}

}  // namespace omp

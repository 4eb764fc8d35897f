#include "query/source_query.hpp"

#include <errno.h>

#include <algorithm>

namespace omp {

std::vector<SourceReport> run_queries(SourceQueries queries) {
    while (true) {
        std::vector<pollfd> fds;
        std::vector<SourceQuery*> owners;
        auto next = SteadyClock::time_point::max();
        for (auto& q : queries) {
            if (q->finished()) continue;
            fds.push_back({q->fd(), q->poll_events(), 0});
            owners.push_back(q.get());
            next = std::min(next, q->deadline());
        }
        if (owners.empty()) break;
        auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(next - SteadyClock::now());
        int timeout = static_cast<int>(std::clamp<long long>(wait.count() + 1, 0, 60000));
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) break;
        auto now = SteadyClock::now();
        for (std::size_t i = 0; i < owners.size(); ++i) owners[i]->advance(fds[i].revents, now);
    }
    std::vector<SourceReport> reports;
    for (auto& q : queries) reports.push_back(q->take_report());
    return reports;
}

}  // namespace omp

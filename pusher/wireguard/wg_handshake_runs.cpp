#include "wireguard/wg_handshake_runs.hpp"

#include <set>

namespace omp {

void HandshakeRuns::update(std::vector<SourceReport>& reports) {
    std::map<Key, std::int64_t> next;
    std::set<std::string> answered;
    for (auto& report : reports) {
        if (report.kind != kWireGuardKind || !report.ok) continue;
        answered.insert(report.name);
        for (auto& s : report.status.sessions) {
            Key key{s.source, s.common_name};
            if (auto run = started_.find(key); run != started_.end()) s.connected_at = run->second;
            next.emplace(std::move(key), s.connected_at);
        }
    }
    for (auto& [key, start] : started_) {
        if (!answered.count(key.first)) next.emplace(key, start);
    }
    started_ = std::move(next);
}

}  // namespace omp

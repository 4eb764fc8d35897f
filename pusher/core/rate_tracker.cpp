#include "core/rate_tracker.hpp"

#include <cmath>
#include <set>

namespace omp {

namespace {

std::uint64_t per_second(std::uint64_t now, std::uint64_t before, double seconds) {
    if (now < before || seconds <= 0) return 0;  // a counter reset, or no time passed
    return static_cast<std::uint64_t>(std::llround(static_cast<double>(now - before) / seconds));
}

// A WireGuard peer roams (its endpoint changes with the client's network) within one run of
// handshakes; an OpenVPN session never changes its real address.
std::pair<SessionKey, std::int64_t> run_of(const SourceReport& report, const Session& s) {
    SessionKey key = key_of(s);
    if (report.kind == kWireGuardKind) {
        key.real_ip.clear();
        key.real_port = 0;
    }
    return {std::move(key), s.connected_at};
}

}  // namespace

void RateTracker::update(std::vector<SourceReport>& reports, Clock::time_point now) {
    std::map<Key, Sample> next;
    std::set<std::string> answered;
    for (auto& report : reports) {
        if (!report.ok) continue;  // keep its sessions' last samples for when it answers again
        answered.insert(report.name);
        for (auto& s : report.status.sessions) {
            Key key = run_of(report, s);
            auto previous = last_.find(key);
            if (previous != last_.end()) {
                double seconds = std::chrono::duration<double>(now - previous->second.at).count();
                s.rx_bps = per_second(s.bytes_received, previous->second.bytes_received, seconds);
                s.tx_bps = per_second(s.bytes_sent, previous->second.bytes_sent, seconds);
            }
            next[key] = Sample{s.bytes_received, s.bytes_sent, now};
        }
    }
    for (auto& [key, sample] : last_) {
        if (!answered.count(key.first.source)) next.emplace(key, sample);
    }
    last_ = std::move(next);
}

}  // namespace omp

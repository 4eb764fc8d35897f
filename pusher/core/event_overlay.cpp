#include "core/event_overlay.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/real_address.hpp"

namespace omp {

namespace {

// A session within its source, by common name and real address, as views into the session:
// the lookups of a cycle allocate nothing.
struct LocalKey {
    std::string_view common_name;
    std::string_view real_ip;
    std::uint16_t real_port;
    bool operator==(const LocalKey&) const = default;
};

LocalKey local_key(const Session& s) {
    return {s.common_name, s.real_ip, s.real_port.value_or(0)};
}

struct LocalKeyHash {
    std::size_t operator()(const LocalKey& k) const noexcept {
        std::size_t h = std::hash<std::string_view>{}(k.common_name);
        h ^= std::hash<std::string_view>{}(k.real_ip) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        return h ^ (k.real_port + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    }
};

using LocalKeys = std::unordered_set<LocalKey, LocalKeyHash>;

}  // namespace

void EventOverlay::record(const event::Event& event, Clock::time_point now) {
    Session s = session_from_event(event);
    SessionKey key = key_of(s);
    // The newest event about a session replaces any older one.
    entries_.insert_or_assign(std::move(key), Entry{event.kind, std::move(s), now});
}

// Linear in entries plus sessions: each report's sessions are hashed once, and each entry of
// that source is looked up in them (a storm of 20,000 events against 20,000 sessions took 25 s a
// cycle when every entry scanned every session).
void EventOverlay::apply(std::vector<SourceReport>& reports, Clock::time_point now) {
    if (entries_.empty()) return;
    for (auto& report : reports) apply_to(report, now);
    for (auto it = entries_.begin(); it != entries_.end();) {  // sources no report names
        it = now - it->second.recorded > hold_ ? entries_.erase(it) : std::next(it);
    }
}

void EventOverlay::apply_to(SourceReport& report, Clock::time_point now) {
    auto first = entries_.lower_bound(SessionKey{report.name, "", "", 0});
    if (first == entries_.end() || first->first.source != report.name) return;
    auto& sessions = report.status.sessions;
    // Views into `sessions`: built before any session is added, and used only until then.
    LocalKeys listed;
    listed.reserve(sessions.size());
    for (const auto& s : sessions) listed.insert(local_key(s));
    LocalKeys hidden;            // views into the entries, which outlive this call
    std::vector<Session> shown;  // added after the loop: `listed` must not see `sessions` move
    for (auto it = first; it != entries_.end() && it->first.source == report.name;) {
        Entry& entry = it->second;
        bool forget = now - entry.recorded > hold_;
        if (!forget) {
            LocalKey key = local_key(entry.session);
            bool is_listed = listed.count(key) > 0;
            if (entry.kind == event::Kind::connect) {
                if (is_listed && report.ok)
                    forget = true;  // management caught up
                else
                    shown.push_back(entry.session);
            } else if (is_listed) {
                hidden.insert(key);
            } else if (report.ok) {
                forget = true;  // management caught up
            }
        }
        it = forget ? entries_.erase(it) : std::next(it);
    }
    if (!hidden.empty()) {
        sessions.erase(
            std::remove_if(sessions.begin(), sessions.end(),
                           [&](const Session& s) { return hidden.count(local_key(s)) > 0; }),
            sessions.end());
    }
    sessions.insert(sessions.end(), std::make_move_iterator(shown.begin()),
                    std::make_move_iterator(shown.end()));
}

}  // namespace omp

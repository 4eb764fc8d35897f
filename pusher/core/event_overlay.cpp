#include "core/event_overlay.hpp"

#include <algorithm>

#include "core/real_address.hpp"

namespace omp {

namespace {

Session session_from(const event::Event& e) {
    Session s;
    s.source = e.source;
    s.common_name = e.common_name;
    s.username = username_or_common_name(e.username, e.common_name);
    s.real_ip = canonical_real_ip(e.real_ip);
    if (e.real_port) s.real_port = e.real_port;
    s.virtual_ip = e.virtual_ip;
    s.virtual_ipv6 = e.virtual_ipv6;
    s.bytes_received = e.bytes_received.value_or(0);
    s.bytes_sent = e.bytes_sent.value_or(0);
    s.connected_at = e.connected_at ? e.connected_at : e.ts_us / 1000000;
    return s;
}

bool same_session(const Session& a, const Session& b) {
    auto ka = key_of(a), kb = key_of(b);
    ka.source = kb.source;  // the report's name is the source; entries are matched within it
    return ka == kb;
}

}  // namespace

void EventOverlay::record(const event::Event& event, Clock::time_point now) {
    Session s = session_from(event);
    SessionKey key = key_of(s);
    // The newest event about a session replaces any older one.
    entries_.insert_or_assign(std::move(key), Entry{event.kind, std::move(s), now});
}

void EventOverlay::apply(std::vector<SourceReport>& reports, Clock::time_point now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        Entry& entry = it->second;
        bool forget = now - entry.recorded > hold_;
        auto report = std::find_if(reports.begin(), reports.end(), [&](const SourceReport& r) {
            return r.name == entry.session.source;
        });
        if (!forget && report != reports.end()) {
            auto& sessions = report->status.sessions;
            auto listed = [&](const Session& s) { return same_session(s, entry.session); };
            bool is_listed = std::any_of(sessions.begin(), sessions.end(), listed);
            if (entry.kind == event::Kind::connect) {
                if (is_listed && report->ok)
                    forget = true;  // management caught up
                else
                    sessions.push_back(entry.session);
            } else {
                if (is_listed)
                    sessions.erase(std::remove_if(sessions.begin(), sessions.end(), listed),
                                   sessions.end());
                else if (report->ok)
                    forget = true;  // management caught up
            }
        }
        it = forget ? entries_.erase(it) : std::next(it);
    }
}

}  // namespace omp

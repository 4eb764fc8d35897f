// A session record: the final figures of one ended session, as the payload's sessions_ended
// carries it and the record store keeps it on disk. Most come from the plugin's disconnect
// event; a session that a complete poll no longer lists, with no event, gets one made from
// what the polls saw last (its event was lost: the daemon was down, or the queue was full).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "core/session.hpp"
#include "event/event_datagram.hpp"

namespace omp {

// How the end of a session was observed (payload: `observed`).
enum class Observed {
    event,  // the plugin's disconnect event: OpenVPN's own final figures
    poll,   // a complete poll no longer listed it: the last poll's figures and time
};

std::string_view to_string(Observed observed);

struct SessionRecord {
    std::string id;  // one per session, however its end was observed; the panel drops repeats
    std::string source;
    std::string username;
    std::string common_name;
    std::string real_ip;
    std::uint16_t real_port = 0;
    std::string virtual_ip;
    std::string virtual_ipv6;
    std::int64_t connected_at = 0;
    std::int64_t disconnected_at = 0;
    std::int64_t duration = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t bytes_sent = 0;
    std::string reason = "unknown";
    Observed observed = Observed::event;
};

inline SessionKey key_of(const SessionRecord& r) {
    return {r.source, r.common_name, r.real_ip, r.real_port};
}

// The id of a session: its source, when it connected, and who it is (common name and username,
// hashed: FNV-1a 64). OpenVPN's time_unix (the plugin) and "Connected Since (time_t)" (a poll)
// are one value, so an end seen by an event and one seen by polls get the same id. The real
// address is left out on purpose: a UDP client that floats changes it mid-session, and
// OpenVPN 2.4-2.6 print an IPv6 client's address without the port the plugin has. Two
// sessions of the same user on one source that start in the same second share an id.
std::string session_id(std::string_view source, std::int64_t connected_at,
                       std::string_view common_name, std::string_view username);

SessionRecord record_from_disconnect(const event::Event& event);
// OpenVPN 2.7 with DCO may leave bytes_received/bytes_sent out of a disconnect's environment
// (its kernel query failed). A record made from such an event takes each count the event
// lacks from `seen`: the last poll that listed the session, or the pending record a poll made.
void take_missing_counters(SessionRecord& record, const event::Event& event,
                           const SessionRecord& seen);
// A session last seen by a poll at `last_seen` (epoch seconds) and gone from a later one.
SessionRecord record_from_last_poll(const Session& session, std::int64_t last_seen);

// One record as a JSON line, and back; malformed lines give an error value.
std::string record_to_json(const SessionRecord& record);
Result<SessionRecord> record_from_json(std::string_view line);

}  // namespace omp

// A session record: the final figures of one ended session, from the plugin's disconnect
// event, as the payload's ended_sessions carries it and the record store keeps it on disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "core/session.hpp"
#include "event/event_datagram.hpp"

namespace omp {

struct SessionRecord {
    std::string id;  // unique per session end; the panel drops repeats by it
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
};

inline SessionKey key_of(const SessionRecord& r) {
    return {r.source, r.common_name, r.real_ip, r.real_port};
}

SessionRecord record_from_disconnect(const event::Event& event);

// One record as a JSON line, and back; malformed lines give an error value.
std::string record_to_json(const SessionRecord& record);
Result<SessionRecord> record_from_json(std::string_view line);

}  // namespace omp

#include "core/session_record.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/real_address.hpp"
#include "core/session.hpp"

namespace omp {

using Json = nlohmann::ordered_json;

std::string session_id(std::string_view source, std::int64_t connected_at,
                       std::string_view common_name, std::string_view username) {
    std::uint64_t hash = 14695981039346656037ull;
    auto mix = [&](std::string_view text) {
        for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
        hash = (hash ^ 0) * 1099511628211ull;  // a separator: ("ab","c") is not ("a","bc")
    };
    mix(common_name);
    mix(username);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    std::string id(source);
    id += '-';
    id += std::to_string(connected_at);
    id += '-';
    id += hex;
    return id;
}

namespace {

// What a poll and an event both know of a session that ended at `ended`.
SessionRecord ended_session(const Session& s, std::int64_t ended) {
    SessionRecord r;
    r.source = s.source;
    r.common_name = s.common_name;
    r.username = s.username;
    r.real_ip = s.real_ip;
    r.real_port = s.real_port.value_or(0);
    r.virtual_ip = s.virtual_ip;
    r.virtual_ipv6 = s.virtual_ipv6;
    r.connected_at = s.connected_at;
    r.disconnected_at = ended;
    r.bytes_received = s.bytes_received;
    r.bytes_sent = s.bytes_sent;
    return r;
}

}  // namespace

SessionRecord record_from_disconnect(const event::Event& e) {
    SessionRecord r = ended_session(session_from_event(e), e.ts_us / 1000000);
    r.connected_at = e.connected_at;  // 0 without time_unix: no start is known
    r.duration = e.duration.value_or(r.connected_at ? r.disconnected_at - r.connected_at : 0);
    // Without time_unix (not an OpenVPN 2.x hook), the hook's microsecond timestamp
    // identifies the end instead: a datagram delivered twice still gives the same id.
    r.id = r.connected_at
               ? session_id(r.source, r.connected_at, r.common_name, r.username)
               : e.source + "-" + std::to_string(e.ts_us) + "-" + std::to_string(e.real_port);
    return r;
}

void take_missing_counters(SessionRecord& record, const event::Event& e,
                           const SessionRecord& seen) {
    if (!e.bytes_received) record.bytes_received = seen.bytes_received;
    if (!e.bytes_sent) record.bytes_sent = seen.bytes_sent;
}

SessionRecord record_from_last_poll(const Session& s, std::int64_t last_seen) {
    SessionRecord r = ended_session(s, last_seen);
    r.duration = s.connected_at ? std::max<std::int64_t>(last_seen - s.connected_at, 0) : 0;
    r.observed = Observed::poll;
    r.id = session_id(r.source, r.connected_at, r.common_name, r.username);
    return r;
}

std::string_view to_string(Observed observed) {
    return observed == Observed::poll ? "poll" : "event";
}

std::string record_to_json(const SessionRecord& r) {
    Json j = {{"id", r.id},
              {"instance", r.source},
              {"username", r.username},
              {"common_name", r.common_name},
              {"client_ip", r.real_ip},
              {"client_port", r.real_port},
              {"virtual_ip", r.virtual_ip},
              {"virtual_ipv6", r.virtual_ipv6},
              {"connected_at", r.connected_at},
              {"disconnected_at", r.disconnected_at},
              {"duration", r.duration},
              {"bytes_received", r.bytes_received},
              {"bytes_sent", r.bytes_sent},
              {"reason", r.reason},
              {"observed", to_string(r.observed)}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<SessionRecord> record_from_json(std::string_view line) {
    try {
        Json j = Json::parse(line);
        SessionRecord r;
        r.id = j.at("id").get<std::string>();
        r.source = j.at("instance").get<std::string>();
        r.username = j.at("username").get<std::string>();
        r.common_name = j.at("common_name").get<std::string>();
        r.real_ip = j.at("client_ip").get<std::string>();
        r.real_port = j.at("client_port").get<std::uint16_t>();
        r.virtual_ip = j.at("virtual_ip").get<std::string>();
        r.virtual_ipv6 = j.at("virtual_ipv6").get<std::string>();
        r.connected_at = j.at("connected_at").get<std::int64_t>();
        r.disconnected_at = j.at("disconnected_at").get<std::int64_t>();
        r.duration = j.at("duration").get<std::int64_t>();
        r.bytes_received = j.at("bytes_received").get<std::uint64_t>();
        r.bytes_sent = j.at("bytes_sent").get<std::uint64_t>();
        r.reason = j.at("reason").get<std::string>();
        // Records spooled before `observed` existed came from events.
        auto observed = j.value("observed", std::string("event"));
        if (observed != "event" && observed != "poll")
            return error("bad observed `" + observed + "'");
        r.observed = observed == "poll" ? Observed::poll : Observed::event;
        if (r.id.empty()) return error("record without id");
        return r;
    } catch (const std::exception& e) {  // nlohmann's parse and type errors stay in here
        return error(std::string("bad record: ") + e.what());
    }
}

}  // namespace omp

#include "core/session_record.hpp"

#include <nlohmann/json.hpp>

#include "core/real_address.hpp"
#include "core/session.hpp"

namespace omp {

using Json = nlohmann::ordered_json;

SessionRecord record_from_disconnect(const event::Event& e) {
    SessionRecord r;
    // The hook's microsecond timestamp, the instance and the port identify one session end;
    // a datagram delivered twice gives the same id.
    r.id = e.source + "-" + std::to_string(e.ts_us) + "-" + std::to_string(e.real_port);
    r.source = e.source;
    r.common_name = e.common_name;
    r.username = username_or_common_name(e.username, e.common_name);
    r.real_ip = canonical_real_ip(e.real_ip);
    r.real_port = e.real_port;
    r.virtual_ip = e.virtual_ip;
    r.virtual_ipv6 = e.virtual_ipv6;
    r.connected_at = e.connected_at;
    r.disconnected_at = e.ts_us / 1000000;
    r.duration = e.duration.value_or(r.connected_at ? r.disconnected_at - r.connected_at : 0);
    r.bytes_received = e.bytes_received.value_or(0);
    r.bytes_sent = e.bytes_sent.value_or(0);
    return r;
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
              {"reason", r.reason}};
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
        if (r.id.empty()) return error("record without id");
        return r;
    } catch (const std::exception& e) {  // nlohmann's parse and type errors stay in here
        return error(std::string("bad record: ") + e.what());
    }
}

}  // namespace omp

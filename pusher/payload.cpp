#include "payload.hpp"

#include <time.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "version.hpp"

namespace omp {

using Json = nlohmann::ordered_json;

std::string format_utc_microseconds(std::chrono::system_clock::time_point t) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    time_t seconds = static_cast<time_t>(us / 1000000);
    long fraction = static_cast<long>(us % 1000000);
    if (fraction < 0) {
        fraction += 1000000;
        --seconds;
    }
    tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, fraction);
    return text;
}

namespace {

Json user_json(const Session& s) {
    Json u;
    u["username"] = s.username;
    u["client_ip"] = s.client_ip;
    // An IPv6-only client still gets a virtual_ip the dashboard can show.
    u["virtual_ip"] = s.virtual_ip.empty() ? s.virtual_ipv6 : s.virtual_ip;
    u["bytes_received"] = s.bytes_received;
    u["bytes_sent"] = s.bytes_sent;
    u["connected_at"] = s.connected_at;
    u["proto"] = s.source;
    u["common_name"] = s.common_name;
    u["virtual_ipv6"] = s.virtual_ipv6;
    if (s.client_port) u["client_port"] = *s.client_port;
    if (s.client_id) u["client_id"] = *s.client_id;
    return u;
}

Json source_json(const SourceSummary& s) {
    Json j;
    j["name"] = s.name;
    j["kind"] = s.kind;
    j["ok"] = s.ok;
    j["error"] = s.ok ? Json(nullptr) : Json(s.error);
    j["sessions"] = s.sessions;
    j["half_open"] = s.half_open;
    j["malformed_rows"] = s.malformed_rows;
    j["took_ms"] = s.took_ms;
    return j;
}

}  // namespace

std::string render_payload(const Snapshot& snapshot, const PayloadContext& context) {
    Json body;
    body["status"] = "mgmt";
    body["ts"] = format_utc_microseconds(context.now);
    body["clients"] = snapshot.users.size();
    Json users = Json::array();
    for (const auto& s : snapshot.users) users.push_back(user_json(s));
    body["users"] = std::move(users);

    body["trigger"] = context.trigger;
    Json events = Json::array();
    for (const auto& e : context.events) {
        events.push_back({{"event", e.event},
                          {"instance", e.instance},
                          {"username", e.username},
                          {"hook_ts_us", e.hook_ts_us}});
    }
    body["events"] = std::move(events);
    Json sources = Json::array();
    for (const auto& s : snapshot.sources) sources.push_back(source_json(s));
    body["sources"] = std::move(sources);
    body["agent"] = {{"name", "ovpn-mgmt-push"}, {"version", kVersion}};
    return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace omp

#include "config/setting_table.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

#include "config/listener_settings.hpp"
#include "event/event_datagram.hpp"
#include "records/journal_follower.hpp"
#include "records/record_store.hpp"

namespace omp {

namespace {

using std::chrono::milliseconds;

// A row that reads seconds within [min, max] into a field.
Status seconds_into(const Given& g, const char* what, double min, double max, milliseconds& field) {
    auto s = parse_seconds(g.value(), what, min, max);
    if (!s) return s.error();
    field = to_ms(*s);
    return Ok{};
}

// Rows that name a file or directory: an empty value means "not set".
bool unset(const Given& g) {
    return g.values.empty() || g.value().empty();
}

Status apply_endpoints(const Given& g, Draft& d) {
    for (const auto& spec : g.values) {
        auto ep = parse_endpoint(spec);
        if (!ep) return ep.error();
        d.settings.endpoints.push_back(std::move(*ep));
    }
    return check_unique_names(d.settings.endpoints);
}

Status apply_wg_interfaces(const Given& g, Draft& d) {
    for (const auto& spec : g.values) {
        auto wg = parse_wg_interface(spec);
        if (!wg) return wg.error();
        d.settings.wg_interfaces.push_back(std::move(*wg));
    }
    std::set<std::string> names;
    for (const auto& ep : d.settings.endpoints) names.insert(ep.name);
    std::set<std::string> ifaces;
    for (const auto& wg : d.settings.wg_interfaces) {
        if (!names.insert(wg.name).second)
            return error("source name `" + wg.name + "' is given twice");
        if (!ifaces.insert(wg.iface).second)
            return error("WireGuard interface `" + wg.iface + "' is given twice");
    }
    return Ok{};
}

Status apply_ovpn_log(const std::string& spec, Draft& d) {
    auto eq = spec.find('=');
    std::string name = eq == std::string::npos ? "" : spec.substr(0, eq);
    std::string where = eq == std::string::npos ? "" : spec.substr(eq + 1);
    if (name.empty() || where.empty()) {
        return error("bad OpenVPN log `" + spec + "': expected NAME=PATH or NAME=journal:UNIT");
    }
    const auto& endpoints = d.settings.endpoints;
    if (std::none_of(endpoints.begin(), endpoints.end(),
                     [&](const Endpoint& ep) { return ep.name == name; })) {
        return error("bad OpenVPN log `" + spec + "': `" + name +
                     "' is not a --mgmt endpoint name");
    }
    if (where.starts_with(kJournalPrefix)) {
        auto unit = journal_unit_name(std::string_view(where).substr(kJournalPrefix.size()));
        if (!unit) return error("bad OpenVPN log `" + spec + "': " + unit.error().message);
    } else if (where.front() != '/') {
        return error("bad OpenVPN log `" + spec + "': the path must be absolute");
    }
    d.settings.ovpn_logs.emplace_back(name, where);
    return Ok{};
}

Status apply_event_socket(const Given& g, Draft& d) {
    const auto& path = g.value();
    if (path.empty() || path.front() != '/' || path.size() >= 108) {
        return error("bad event socket `" + path + "': must be an absolute path under 108 bytes");
    }
    d.settings.event_socket = path;
    return Ok{};
}

Status apply_state_dir(const Given& g, Draft& d) {
    if (unset(g)) return Ok{};
    // systemd's StateDirectory= sets STATE_DIRECTORY, possibly as a colon-separated list.
    std::string first = g.value().substr(0, g.value().find(':'));
    if (first.empty() || first.front() != '/')
        return error("bad state directory `" + g.value() + "': must be absolute");
    d.settings.state_dir = first;
    return Ok{};
}

Status apply_max_records(const Given& g, Draft& d) {
    const std::string& n = g.value();
    char* end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(n.c_str(), &end, 10);
    constexpr auto kMax = RecordStore::kMaxCapacity;
    if (n.empty() || *end != '\0' || errno != 0 || value < 1 || value > kMax || n.front() == '-') {
        return error("bad max records `" + n + "': expected a whole number from 1 to " +
                     std::to_string(kMax));
    }
    d.settings.max_records = static_cast<std::size_t>(value);
    return Ok{};
}

Status apply_wg_handshake_timeout(const Given& g, Draft& d) {
    auto s = parse_seconds(g.value(), "WireGuard handshake timeout", 1, 86400);
    if (!s) return s.error();
    d.settings.wg_handshake_timeout =
        std::chrono::seconds(static_cast<long long>(std::llround(*s)));
    return Ok{};
}

Status apply_wg_uapi_dir(const Given& g, Draft& d) {
    if (unset(g)) return Ok{};
    if (g.value().front() != '/')
        return error("bad WG_UAPI_DIR `" + g.value() + "': must be an absolute path");
    d.settings.wg_uapi_dir = g.value();
    return Ok{};
}

Status apply_interval(const Given& g, Draft& d) {
    auto s = parse_seconds(g.value(), "interval", 0.1, 3600);
    if (!s) return s.error();
    d.settings.interval = std::chrono::duration<double>(*s);
    return Ok{};
}

// A row that keeps a non-empty value for the rules that span settings.
template <std::optional<std::string> Draft::*field>
Status keep(const Given& g, Draft& d) {
    if (!unset(g)) d.*field = g.value();
    return Ok{};
}

constexpr SettingRow kTable[] = {
    {"--mgmt", "MGMT_ENDPOINTS", "NAME=ADDR", "udp=127.0.0.1:7505,tcp=127.0.0.1:7506",
     "management endpoint; ADDR is HOST:PORT or unix:PATH", true, apply_endpoints},
    {"--wg", "WG_INTERFACES", "NAME=IFACE", "",
     "a WireGuard interface (kernel or userspace) as a source; NAME is its proto in the payload",
     true, apply_wg_interfaces},
    {"--wg-peers", "WG_PEERS", "FILE", "",
     "names for WireGuard peers: `PUBLIC-KEY NAME' lines, or a WireGuard config with `# Name = "
     "...' above "
     "each [Peer]; re-read when changed",
     true,
     [](const Given& g, Draft& d) -> Status {
         d.settings.wg_peer_files = g.values;
         return Ok{};
     }},
    {"--wg-handshake-timeout", "WG_HANDSHAKE_TIMEOUT", "S", "180",
     "a peer is connected while its latest handshake is younger", false,
     apply_wg_handshake_timeout},
    {"", "WG_UAPI_DIR", "DIR", kDefaultWgUapiDir,
     "where userspace WireGuard implementations put their sockets", false, apply_wg_uapi_dir},
    {"--ovpn-log", "OVPN_LOGS", "NAME=SOURCE", "",
     "where to read why sessions ended: an OpenVPN log file path, or journal:UNIT for a server "
     "logging to the "
     "systemd journal; NAME is the --mgmt name",
     true,
     [](const Given& g, Draft& d) -> Status {
         for (const auto& spec : g.values) {
             if (auto ok = apply_ovpn_log(spec, d); !ok) return ok;
         }
         return Ok{};
     }},
    {"--mgmt-password-file", "MGMT_PASSWORD_FILE", "PATH", "",
     "password for the management interfaces", false,
     [](const Given& g, Draft& d) -> Status {
         if (!unset(g)) d.settings.mgmt_password_file = g.value();
         return Ok{};
     }},
    {"--mgmt-connect-timeout", "MGMT_CONNECT_TIMEOUT", "S", "1", "connect deadline per query",
     false,
     [](const Given& g, Draft& d) {
         return seconds_into(g, "management connect timeout", 0.01, 60.0,
                             d.settings.mgmt_timeouts.connect);
     }},
    {"--mgmt-timeout", "MGMT_TIMEOUT", "S", "2",
     "whole-query deadline (also of each WireGuard query)", false,
     [](const Given& g, Draft& d) {
         return seconds_into(g, "management query timeout", 0.01, 600.0,
                             d.settings.mgmt_timeouts.total);
     }},
    {"--interval", "PUSH_INTERVAL", "S", "2", "seconds between posts, fractions allowed", false,
     apply_interval},
    {"--event-socket", "EVENT_SOCKET", "PATH", event::kDefaultSocketPath,
     "the plugin's event socket", false, apply_event_socket},
    {"--event-user", "EVENT_SOCKET_USER", "USER", "nobody",
     "who besides root may send events (OpenVPN's `user')", false,
     [](const Given& g, Draft& d) -> Status {
         if (!unset(g)) d.settings.event_user = g.value();
         return Ok{};
     }},
    {"--state-dir", "STATE_DIRECTORY", "DIR", kDefaultStateDir,
     "where session records wait for the panel's 2xx", false, apply_state_dir},
    {"--max-records", "MAX_SESSION_RECORDS", "N", "10000",
     "records kept at most, oldest dropped first", false, apply_max_records},
    {"--url", "PANEL_EVENTS_URL", "URL", "",
     "the panel's events URL; without it, PANEL_URL + /api/servers/ + SERVER_ID + /events", false,
     keep<&Draft::events_url>},
    {"", "PANEL_URL", "URL", "", "the panel's base URL, with SERVER_ID", false,
     [](const Given& g, Draft& d) -> Status {
         d.panel_base = g.value();  // set but empty is an error of its own
         return Ok{};
     }},
    {"", "SERVER_ID", "ID", "", "this server's id in the panel, with PANEL_URL", false,
     [](const Given& g, Draft& d) -> Status {
         d.server_id = g.value();
         return Ok{};
     }},
    {"--token-file", "PANEL_TOKEN_FILE", "PATH", "", "a file holding the bearer token", false,
     [](const Given& g, Draft& d) -> Status {
         if (g.from_flag || !unset(g)) d.token_file = g.value();
         d.token_file_from_flag = g.from_flag;
         return Ok{};
     }},
    {"", "PANEL_TOKEN", "TOKEN", "",
     "the bearer token itself (a --token-file beats it, it beats PANEL_TOKEN_FILE)", false,
     keep<&Draft::token>},
    {"--ca-file", "PANEL_CA_FILE", "PATH", "", "CA bundle for a panel with a private CA", false,
     keep<&Draft::ca_file>},
    {"--panel-timeout", "PANEL_TIMEOUT", "S", "5", "whole-POST deadline", false,
     keep<&Draft::panel_timeout>},
    {"--panel-gzip", "PANEL_GZIP", "off|auto|on", "off",
     "gzip the POST bodies: auto falls back to plain JSON when the panel answers 415", false,
     keep<&Draft::panel_gzip>},
    {"--metrics-listen", "METRICS_LISTEN", "ADDR:PORT", "",
     "serve Prometheus metrics at http://ADDR:PORT/metrics (off when empty)", false,
     apply_metrics_listen},
    {"--metrics-no-sessions", "METRICS_NO_SESSIONS", "", "0",
     "leave out the per-session series (names and addresses; one series each per session)", false,
     apply_metrics_no_sessions},
    {"--mgmt-proxy", "MGMT_PROXY", "NAME=unix:PATH|NAME=ADDR:PORT", "",
     "a read-only management socket for the --mgmt NAME, for any number of tools at once", true,
     apply_mgmt_proxies},
    {"--mgmt-proxy-mode", "MGMT_PROXY_SOCKET_MODE", "MODE", "0660",
     "mode of the proxies' unix sockets", false, apply_proxy_socket_mode},
    {"--mgmt-proxy-user", "MGMT_PROXY_SOCKET_USER", "USER", "",
     "owner of the proxies' unix sockets (default root)", false, apply_proxy_socket_user},
    {"--mgmt-proxy-group", "MGMT_PROXY_SOCKET_GROUP", "GROUP", "",
     "group of the proxies' unix sockets (default root's)", false, apply_proxy_socket_group},
    {"--mgmt-proxy-idle-timeout", "MGMT_PROXY_IDLE_TIMEOUT", "S", "60",
     "a proxy client that sends and reads nothing this long is closed", false,
     [](const Given& g, Draft& d) -> Status {
         std::chrono::milliseconds timeout{};
         if (auto s = seconds_into(g, "management proxy idle timeout", 0.1, 86400, timeout); !s)
             return s;
         for (auto& proxy : d.settings.mgmt_proxies) proxy.idle_timeout = timeout;
         return Ok{};
     }},
    {"--mgmt-proxy-password-file", "MGMT_PROXY_PASSWORD_FILE", "PATH", "",
     "a password the proxies ask for (ENTER PASSWORD:); needed off loopback", false,
     keep<&Draft::proxy_password_file>},
    {"--metrics-auth-file", "METRICS_AUTH_FILE", "PATH", "",
     "USER:PASSWORD that a scrape must send (Basic auth), mode 0600; needed off loopback", false,
     [](const Given& g, Draft& d) -> Status {
         if (!unset(g)) d.metrics_auth_file = g.value();
         return Ok{};
     }},
};

}  // namespace

Result<double> parse_seconds(const std::string& text, const std::string& what, double min,
                             double max) {
    char* end = nullptr;
    errno = 0;
    double value = std::strtod(text.c_str(), &end);
    bool whole = !text.empty() && end == text.c_str() + text.size() && errno == 0;
    if (!whole || !std::isfinite(value) || value < min || value > max) {
        std::ostringstream range;
        range << min << " to " << max;
        return error("bad " + what + " `" + text + "': expected seconds from " + range.str());
    }
    return value;
}

std::chrono::milliseconds to_ms(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
}

std::span<const SettingRow> setting_table() {
    return kTable;
}

}  // namespace omp

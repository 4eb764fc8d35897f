#include "config/settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "base/config_file.hpp"
#include "records/journal_follower.hpp"
#include "base/text_fields.hpp"

extern char** environ;

namespace omp {

namespace {

struct FlagSpec {
    std::string_view flag;
    bool repeatable = false;
    bool takes_value = true;
};

constexpr FlagSpec kFlags[] = {
    {"--mgmt", true},          {"--mgmt-password-file"}, {"--url"},
    {"--token-file"},          {"--ca-file"},            {"--interval"},
    {"--event-socket"},        {"--event-user"},         {"--mgmt-connect-timeout"},
    {"--mgmt-timeout"},        {"--panel-timeout"},      {"--wg", true},
    {"--state-dir"},           {"--max-records"},
    {"--wg-peers", true},      {"--ovpn-log", true},     {"--config"},
    {"--wg-handshake-timeout"},
    {"--help", false, false},  {"--version", false, false},
};

constexpr std::string_view kVariables[] = {
    "MGMT_ENDPOINTS", "MGMT_PASSWORD_FILE", "MGMT_CONNECT_TIMEOUT", "MGMT_TIMEOUT",
    "PANEL_EVENTS_URL", "PANEL_URL", "SERVER_ID", "PANEL_TOKEN", "PANEL_TOKEN_FILE",
    "PANEL_CA_FILE", "PANEL_TIMEOUT", "PUSH_INTERVAL", "EVENT_SOCKET", "EVENT_SOCKET_USER",
    "WG_INTERFACES", "WG_PEERS", "WG_HANDSHAKE_TIMEOUT", "WG_UAPI_DIR", "OVPN_LOGS", "STATE_DIRECTORY", "MAX_SESSION_RECORDS"};

using Flags = std::map<std::string, std::vector<std::string>>;

// Looks a setting up by precedence: flag, then environment, then config file.
class Sources {
public:
    Sources(Flags flags, const Environment& env, KeyValues file)
        : flags_(std::move(flags)), env_(env), file_(std::move(file)) {}

    const std::vector<std::string>* flag(const std::string& name) const {
        auto it = flags_.find(name);
        return it == flags_.end() ? nullptr : &it->second;
    }
    std::optional<std::string> variable(const std::string& name) const {
        if (auto it = env_.find(name); it != env_.end()) return it->second;
        if (auto it = file_.find(name); it != file_.end()) return it->second;
        return std::nullopt;
    }
    // A single-valued setting: the flag's last value, else the variable.
    std::optional<std::string> get(const std::string& flag_name, const std::string& var) const {
        if (auto* values = flag(flag_name)) return values->back();
        return variable(var);
    }

private:
    Flags flags_;
    const Environment& env_;
    KeyValues file_;
};

Result<std::string> read_secret_file(const std::string& path, const std::string& what,
                                     std::vector<std::string>& warnings) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return error("cannot read " + what + " file `" + path + "'");
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
        line.pop_back();
    }
    if (line.empty()) return error(what + " file `" + path + "' is empty");
    if (std::any_of(line.begin(), line.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
        return error(what + " file `" + path + "' holds control characters");
    }
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH)) {
        warnings.push_back(what + " file `" + path + "' is readable by every user; chmod o-r it");
    }
    return line;
}

Result<double> parse_seconds(const std::string& text, const std::string& what, double min, double max) {
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

Result<Flags> parse_flags(const std::vector<std::string>& args, std::optional<Command>& command) {
    Flags flags;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (!arg.starts_with("-")) {
            if (command) return error("unexpected argument `" + arg + "'");
            if (arg == "run") command = Command::run;
            else if (arg == "snapshot") command = Command::snapshot;
            else if (arg == "push") command = Command::push;
            else if (arg == "is-configured") command = Command::is_configured;
            else return error("unknown subcommand `" + arg + "' (run, snapshot, push, setup, is-configured)");
            continue;
        }
        std::string name = arg, value;
        bool inline_value = false;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            inline_value = true;
        }
        if (name == "-h") name = "--help";
        auto spec = std::find_if(std::begin(kFlags), std::end(kFlags),
                                 [&](const FlagSpec& f) { return f.flag == name; });
        if (spec == std::end(kFlags)) return error("unknown option `" + name + "'");
        if (!spec->takes_value) {
            if (inline_value) return error("option `" + name + "' takes no value");
            flags[name].push_back("");
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= args.size()) return error("option `" + name + "' needs a value");
            value = args[++i];
        }
        auto& values = flags[name];
        if (!spec->repeatable && !values.empty()) {
            return error("option `" + name + "' is given more than once");
        }
        values.push_back(value);
    }
    return flags;
}

Result<KeyValues> read_known_config(const std::string& path, bool warn_unknown, std::vector<std::string>& warnings) {
    auto values = read_config_file(path);
    if (!values) return values.error();
    for (const auto& [key, value] : *values) {
        if (warn_unknown && std::find(std::begin(kVariables), std::end(kVariables), key) == std::end(kVariables)) {
            warnings.push_back("unknown variable `" + key + "' in `" + path + "' is ignored");
        }
    }
    return values;
}

// --config FILE alone, else the legacy file and the default file, each when it exists. The
// legacy file is the old script's, with variables of its own: they are not warned about.
Result<KeyValues> load_config_file(const Flags& flags, std::vector<std::string>& warnings) {
    if (auto it = flags.find("--config"); it != flags.end()) return read_known_config(it->second.back(), true, warnings);
    std::vector<KeyValues> files;
    for (const char* path : {kLegacyConfigFile, kDefaultConfigFile}) {
        if (access(path, F_OK) != 0) continue;
        auto values = read_known_config(path, path == kDefaultConfigFile, warnings);
        if (!values) return values.error();
        files.push_back(std::move(*values));
    }
    return merge_config_files(files);
}

Result<std::string> resolve_panel_url(const Sources& src) {
    if (auto url = src.get("--url", "PANEL_EVENTS_URL")) return *url;
    auto base = src.variable("PANEL_URL");
    auto id = src.variable("SERVER_ID");
    if (!base && !id) return std::string();
    if (!base || base->empty()) return error("SERVER_ID is set but PANEL_URL is not");
    if (!id || id->empty()) return error("PANEL_URL is set but SERVER_ID is not");
    bool id_ok = std::all_of(id->begin(), id->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!id_ok) return error("bad SERVER_ID `" + *id + "': use letters, digits, . _ -");
    std::string trimmed = *base;
    while (trimmed.ends_with('/')) trimmed.pop_back();
    return trimmed + "/api/servers/" + *id + "/events";
}

Result<std::optional<std::string>> resolve_token(const Sources& src, std::vector<std::string>& warnings) {
    if (auto* file = src.flag("--token-file")) {
        auto token = read_secret_file(file->back(), "token", warnings);
        if (!token) return token.error();
        return std::optional<std::string>(*token);
    }
    if (auto token = src.variable("PANEL_TOKEN"); token && !token->empty()) {
        if (std::any_of(token->begin(), token->end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
            return error("PANEL_TOKEN holds control characters");
        }
        return std::optional<std::string>(*token);
    }
    if (auto file = src.variable("PANEL_TOKEN_FILE"); file && !file->empty()) {
        auto token = read_secret_file(*file, "token", warnings);
        if (!token) return token.error();
        return std::optional<std::string>(*token);
    }
    return std::optional<std::string>();
}

// A repeatable flag's values, else its variable's comma-separated list.
std::vector<std::string> list_setting(const Sources& src, const std::string& flag, const std::string& var) {
    if (auto* values = src.flag(flag)) return *values;
    auto list = src.variable(var);
    return list ? comma_list(*list) : std::vector<std::string>{};
}

Status resolve_wireguard(const Sources& src, Settings& settings) {
    for (const auto& spec : list_setting(src, "--wg", "WG_INTERFACES")) {
        auto wg = parse_wg_interface(spec);
        if (!wg) return wg.error();
        settings.wg_interfaces.push_back(std::move(*wg));
    }
    std::set<std::string> names;
    for (const auto& ep : settings.endpoints) names.insert(ep.name);
    std::set<std::string> ifaces;
    for (const auto& wg : settings.wg_interfaces) {
        if (!names.insert(wg.name).second) return error("source name `" + wg.name + "' is given twice");
        if (!ifaces.insert(wg.iface).second) return error("WireGuard interface `" + wg.iface + "' is given twice");
    }
    settings.wg_peer_files = list_setting(src, "--wg-peers", "WG_PEERS");
    auto peer_names = load_peer_names(settings.wg_peer_files);
    if (!peer_names) return peer_names.error();
    settings.wg_peer_names = std::move(*peer_names);
    if (auto t = src.get("--wg-handshake-timeout", "WG_HANDSHAKE_TIMEOUT")) {
        auto s = parse_seconds(*t, "WireGuard handshake timeout", 1, 86400);
        if (!s) return s.error();
        settings.wg_handshake_timeout = std::chrono::seconds(static_cast<long long>(std::llround(*s)));
    }
    if (auto dir = src.variable("WG_UAPI_DIR"); dir && !dir->empty()) {
        if (dir->front() != '/') return error("bad WG_UAPI_DIR `" + *dir + "': must be an absolute path");
        settings.wg_uapi_dir = *dir;
    }
    return Ok{};
}

}  // namespace

Result<Settings> resolve_settings(const std::vector<std::string>& args, const Environment& env) {
    std::optional<Command> command;
    auto flags = parse_flags(args, command);
    if (!flags) return flags.error();
    Settings settings;
    if (flags->count("--help")) {
        settings.command = Command::help;
        return settings;
    }
    if (flags->count("--version")) {
        settings.command = Command::version;
        return settings;
    }
    if (!command) return error("missing subcommand (run, snapshot, push); see --help");
    settings.command = *command;

    auto file = load_config_file(*flags, settings.warnings);
    if (!file) return file.error();
    Sources src(std::move(*flags), env, std::move(*file));

    // Endpoints: repeated --mgmt replaces MGMT_ENDPOINTS and the default.
    if (auto* list = src.flag("--mgmt")) {
        for (const auto& spec : *list) {
            auto ep = parse_endpoint(spec);
            if (!ep) return ep.error();
            settings.endpoints.push_back(std::move(*ep));
        }
        if (auto unique = check_unique_names(settings.endpoints); !unique) return unique.error();
    } else {
        auto endpoints = parse_endpoint_list(src.variable("MGMT_ENDPOINTS").value_or(kDefaultEndpoints));
        if (!endpoints) return endpoints.error();
        settings.endpoints = std::move(*endpoints);
    }
    if (auto wg = resolve_wireguard(src, settings); !wg) return wg.error();
    if (settings.endpoints.empty() && settings.wg_interfaces.empty()) {
        return error("no source configured: give --mgmt or --wg");
    }

    for (const auto& spec : list_setting(src, "--ovpn-log", "OVPN_LOGS")) {
        auto eq = spec.find('=');
        std::string name = eq == std::string::npos ? "" : spec.substr(0, eq);
        std::string source = eq == std::string::npos ? "" : spec.substr(eq + 1);
        bool known = std::any_of(settings.endpoints.begin(), settings.endpoints.end(),
                                 [&](const Endpoint& ep) { return ep.name == name; });
        if (name.empty() || source.empty()) {
            return error("bad OpenVPN log `" + spec + "': expected NAME=PATH or NAME=journal:UNIT");
        }
        if (!known) return error("bad OpenVPN log `" + spec + "': `" + name + "' is not a --mgmt endpoint name");
        if (source.starts_with(kJournalPrefix)) {
            auto unit = journal_unit_name(std::string_view(source).substr(kJournalPrefix.size()));
            if (!unit) return error("bad OpenVPN log `" + spec + "': " + unit.error().message);
        } else if (source.front() != '/') {
            return error("bad OpenVPN log `" + spec + "': the path must be absolute");
        }
        settings.ovpn_logs.emplace_back(name, source);
    }

    if (auto path = src.get("--mgmt-password-file", "MGMT_PASSWORD_FILE"); path && !path->empty()) {
        auto password = read_secret_file(*path, "management password", settings.warnings);
        if (!password) return password.error();
        settings.mgmt_password = *password;
    }
    if (auto t = src.get("--mgmt-connect-timeout", "MGMT_CONNECT_TIMEOUT")) {
        auto s = parse_seconds(*t, "management connect timeout", 0.01, 60);
        if (!s) return s.error();
        settings.mgmt_timeouts.connect = to_ms(*s);
    }
    if (auto t = src.get("--mgmt-timeout", "MGMT_TIMEOUT")) {
        auto s = parse_seconds(*t, "management query timeout", 0.01, 600);
        if (!s) return s.error();
        settings.mgmt_timeouts.total = to_ms(*s);
    }
    if (auto t = src.get("--interval", "PUSH_INTERVAL")) {
        auto s = parse_seconds(*t, "interval", 0.1, 3600);
        if (!s) return s.error();
        settings.interval = std::chrono::duration<double>(*s);
    }
    if (auto path = src.get("--event-socket", "EVENT_SOCKET")) {
        if (path->empty() || path->front() != '/' || path->size() >= 108) {
            return error("bad event socket `" + *path + "': must be an absolute path under 108 bytes");
        }
        settings.event_socket = *path;
    }
    if (auto user = src.get("--event-user", "EVENT_SOCKET_USER"); user && !user->empty()) {
        settings.event_user = *user;
    }

    if (auto dir = src.get("--state-dir", "STATE_DIRECTORY"); dir && !dir->empty()) {
        // systemd's StateDirectory= sets STATE_DIRECTORY, possibly as a colon-separated list.
        std::string first = dir->substr(0, dir->find(':'));
        if (first.empty() || first.front() != '/') return error("bad state directory `" + *dir + "': must be absolute");
        settings.state_dir = first;
    }
    if (auto n = src.get("--max-records", "MAX_SESSION_RECORDS")) {
        char* end = nullptr;
        errno = 0;
        unsigned long long value = std::strtoull(n->c_str(), &end, 10);
        if (n->empty() || *end != '\0' || errno != 0 || value < 1 || value > 10000000 || n->front() == '-') {
            return error("bad max records `" + *n + "': expected a whole number from 1 to 10000000");
        }
        settings.max_records = static_cast<std::size_t>(value);
    }

    auto url = resolve_panel_url(src);
    if (!url) return url.error();
    if (!url->empty()) {
        PanelConfig panel;
        panel.url = *url;
        auto token = resolve_token(src, settings.warnings);
        if (!token) return token.error();
        panel.token = *token;
        if (auto ca = src.get("--ca-file", "PANEL_CA_FILE"); ca && !ca->empty()) {
            if (access(ca->c_str(), R_OK) != 0) return error("cannot read CA file `" + *ca + "'");
            panel.ca_file = *ca;
        }
        if (auto t = src.get("--panel-timeout", "PANEL_TIMEOUT")) {
            auto s = parse_seconds(*t, "panel timeout", 0.1, 600);
            if (!s) return s.error();
            panel.total_timeout = to_ms(*s);
            panel.connect_timeout = std::min(panel.connect_timeout, panel.total_timeout);
        }
        settings.panel = std::move(panel);
    }
    if ((settings.command == Command::run || settings.command == Command::push) && !settings.panel) {
        return error("no panel URL: give --url, PANEL_EVENTS_URL, or PANEL_URL and SERVER_ID");
    }
    return settings;
}

KeyValues merge_config_files(const std::vector<KeyValues>& files) {
    KeyValues merged;
    for (const auto& file : files) {
        for (const auto& [key, value] : file) merged[key] = value;
    }
    return merged;
}

WgOptions wg_options(const Settings& settings) {
    WgOptions options;
    options.timeout = settings.mgmt_timeouts.total;
    options.handshake_timeout = settings.wg_handshake_timeout;
    options.uapi_dir = settings.wg_uapi_dir;
    return options;
}

Environment current_environment() {
    Environment env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        auto eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        std::string key(entry.substr(0, eq));
        if (std::find(std::begin(kVariables), std::end(kVariables), key) != std::end(kVariables)) {
            env.emplace(std::move(key), std::string(entry.substr(eq + 1)));
        }
    }
    return env;
}

std::string usage_text() {
    return R"(Usage: ovpn-mgmt-push SUBCOMMAND [options]

Subcommands:
  run        the daemon: listen for plugin events, poll every management endpoint,
             POST the merged payload on each event and every interval
  snapshot   query every source once and print the payload (exit 1 if none answered)
  push       one snapshot, one POST; the exit status says whether the panel accepted it
  setup      add the plugin and a management line to the OpenVPN server configs,
             retire the old script's systemd units (see setup --help)
  is-configured
             exit 0 when a panel URL is set (the unit's start condition), else say
             what to set and exit 1

Options (each has an environment variable; a flag beats its variable):
  --mgmt NAME=ADDR           management endpoint, repeatable; ADDR is HOST:PORT or
                             unix:PATH                 [MGMT_ENDPOINTS, comma-separated;
                             default udp=127.0.0.1:7505,tcp=127.0.0.1:7506]
  --mgmt-password-file PATH  password for the management interfaces [MGMT_PASSWORD_FILE]
  --mgmt-connect-timeout S   connect deadline per query, default 1 [MGMT_CONNECT_TIMEOUT]
  --mgmt-timeout S           whole-query deadline (also of each WireGuard query), default 2
                                                       [MGMT_TIMEOUT]
  --url URL                  the panel's events URL [PANEL_EVENTS_URL, else
                             PANEL_URL + /api/servers/ + SERVER_ID + /events]
  --token-file PATH          bearer token file [PANEL_TOKEN holds the token itself,
                             PANEL_TOKEN_FILE a path]
  --ca-file PATH             CA bundle for a panel with a private CA [PANEL_CA_FILE]
  --panel-timeout S          whole-POST deadline, default 5        [PANEL_TIMEOUT]
  --interval S               seconds between posts, fractions allowed, default 2
                             [PUSH_INTERVAL]
  --event-socket PATH        plugin event socket, default /run/ovpn-mgmt-push/events.sock
                             [EVENT_SOCKET]
  --event-user USER          who besides root may send events (OpenVPN's `user'),
                             default nobody            [EVENT_SOCKET_USER]
  --state-dir DIR            where session records wait for the panel's 2xx,
                             default /var/lib/ovpn-mgmt-push [STATE_DIRECTORY]
  --max-records N            records kept at most, oldest dropped first, default 10000
                             [MAX_SESSION_RECORDS]
  --ovpn-log NAME=SOURCE     where to read why sessions ended, repeatable: an OpenVPN
                             log file path, or journal:UNIT for a server logging to the
                             systemd journal; NAME is the --mgmt name
                                                        [OVPN_LOGS, comma-separated]
  --wg NAME=IFACE            a WireGuard interface (kernel or userspace) as a source,
                             repeatable; NAME is its proto in the payload
                             [WG_INTERFACES, comma-separated]
  --wg-peers FILE            names for WireGuard peers: `PUBLIC-KEY NAME' lines, or a
                             WireGuard config with `# Name = ...' above each [Peer];
                             repeatable, re-read when changed [WG_PEERS, comma-separated]
  --wg-handshake-timeout S   a peer is connected while its latest handshake is younger,
                             default 180                [WG_HANDSHAKE_TIMEOUT]
  --config FILE              KEY=VALUE file; default: /etc/default/ovpn-status-push (the
                             old script's), then /etc/default/ovpn-mgmt-push (wins), each
                             if present
  --help, --version

Exit status: 0 success, 1 failure at run time, 2 usage error.
)";
}

}  // namespace omp

// Settings for every subcommand, resolved from the command line, the environment and the
// config file, in that order of precedence (CONTRACT.md): a flag beats its variable, a
// variable in the environment beats the same variable in the file, and a repeatable flag,
// once given, replaces the variable's list.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/config_file.hpp"
#include "common/result.hpp"
#include "metrics/metrics_config.hpp"
#include "mgmt_proxy/proxy_config.hpp"
#include "openvpn/endpoint.hpp"
#include "openvpn/mgmt_query.hpp"
#include "panel/panel_config.hpp"
#include "records/log_reasons.hpp"
#include "wireguard/wg_peer_names.hpp"
#include "wireguard/wg_source.hpp"

namespace omp {

enum class Command { run, snapshot, push, setup, is_configured, help, version };

struct Subcommand {
    std::string_view name;
    Command command;
    std::string_view help;  // for --help: lines after the first start with a newline
};

// Every subcommand, in the order --help lists them: the one list that main(), the parser and
// the usage text read.
std::span<const Subcommand> subcommands();
// The subcommand `word` names; null for anything else.
const Subcommand* find_subcommand(std::string_view word);

inline constexpr const char* kDefaultConfigFile = "/etc/default/ovpn-mgmt-push";
// The old timer script's settings (PANEL_URL, SERVER_ID, PANEL_TOKEN): read before the
// default config file, which wins, so a server set up for the script keeps working. Read by
// the program, not by the unit's EnvironmentFile=, so that a reload sees an edited file.
inline constexpr const char* kLegacyConfigFile = "/etc/default/ovpn-status-push";
inline constexpr const char* kDefaultStateDir = "/var/lib/ovpn-mgmt-push";

// What the settings table (setting_table.cpp) resolved: every default is that table's, applied
// like a given value, so the members below carry none of their own.
struct Settings {
    Command command = Command::help;
    std::vector<Endpoint> endpoints;
    std::optional<std::string> mgmt_password_file;
    std::optional<std::string> mgmt_password;  // read from mgmt_password_file
    QueryTimeouts mgmt_timeouts;
    std::optional<PanelConfig> panel;             // absent when no URL is configured
    std::optional<std::string> panel_token_file;  // read into panel->token
    std::chrono::duration<double> interval{};
    std::string event_socket;
    std::string event_user;  // besides root, who may send events
    std::string state_dir;   // session records not yet acknowledged
    std::size_t max_records = 0;
    // OpenVPN logs to read disconnect reasons from: endpoint name -> a log file path, or
    // kJournalPrefix and a systemd unit.
    std::vector<std::pair<std::string, std::string>> ovpn_logs;
    // WireGuard interfaces polled beside the endpoints, and the names of their peers.
    std::vector<WgInterface> wg_interfaces;
    std::vector<std::string> wg_peer_files;
    PeerNames wg_peer_names;  // read from wg_peer_files when the settings were resolved
    std::chrono::seconds wg_handshake_timeout{};
    std::string wg_uapi_dir;
    std::optional<MetricsConfig> metrics;  // --metrics-listen; off when absent
    std::vector<ProxyConfig> mgmt_proxies;
    std::optional<std::string> mgmt_proxy_password_file;  // read into each proxy's password
    std::vector<std::string> warnings;                    // said on stderr, never fatal
};

using Environment = std::map<std::string, std::string>;

// The WireGuard query options these settings give.
WgOptions wg_options(const Settings& settings);

// `args` excludes argv[0]. Errors are usage errors (exit status 2) and quote the bad value.
// The config files and the files settings name (token, management password, peer names) are
// read here; what comes between is resolve_values, which reads nothing.
Result<Settings> resolve_settings(const std::vector<std::string>& args, const Environment& env);

// The command line as parsed: the subcommand, and each flag's values in order.
struct CommandLine {
    std::optional<Command> command;
    std::map<std::string, std::vector<std::string>> flags;
};
Result<CommandLine> parse_command_line(const std::vector<std::string>& args);

// Pure: the settings the flags, the environment and the config files' values give, with the
// files they name not yet read.
Result<Settings> resolve_values(const CommandLine& line, const Environment& env,
                                const KeyValues& file);
// Reads the files the settings name; warns (in settings.warnings) of secrets others can read.
Status read_setting_files(Settings& settings);

// The config files merged, later files winning: the legacy file, then the default one.
KeyValues merge_config_files(const std::vector<KeyValues>& files);

Environment current_environment();
std::string usage_text();

}  // namespace omp

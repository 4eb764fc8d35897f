#include "config/settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "base/config_file.hpp"
#include "base/text_fields.hpp"
#include "config/listener_settings.hpp"
#include "config/setting_table.hpp"
#include "panel/body_encoding.hpp"

extern char** environ;

namespace omp {

namespace {

constexpr Subcommand kSubcommands[] = {
    {"run", Command::run,
     "the daemon: listen for plugin events, poll every management endpoint,\n"
     "POST the merged payload on each event and every interval"},
    {"snapshot", Command::snapshot,
     "query every source once and print the payload (exit 1 if none answered)"},
    {"push", Command::push,
     "one snapshot, one POST; the exit status says whether the panel accepted it"},
    {"setup", Command::setup,
     "add the plugin and a management line to the OpenVPN server configs,\n"
     "retire the old script's systemd units (see setup --help)"},
    {"is-configured", Command::is_configured,
     "exit 0 when a panel URL is set (the unit's start condition), else say\n"
     "what to set and exit 1"},
};

}  // namespace

std::span<const Subcommand> subcommands() {
    return kSubcommands;
}

const Subcommand* find_subcommand(std::string_view word) {
    for (const auto& sub : kSubcommands) {
        if (sub.name == word) return &sub;
    }
    return nullptr;
}

namespace {

const SettingRow* row_of_flag(std::string_view flag) {
    for (const auto& row : setting_table()) {
        if (!row.flag.empty() && row.flag == flag) return &row;
    }
    return nullptr;
}

bool known_variable(std::string_view name) {
    const auto table = setting_table();
    return std::any_of(table.begin(), table.end(),
                       [&](const SettingRow& row) { return row.variable == name; });
}

bool has_control_characters(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

Result<Command> parse_subcommand(const std::string& word) {
    if (const Subcommand* found = find_subcommand(word)) return found->command;
    std::string names;
    for (const auto& sub : subcommands())
        names += (names.empty() ? "" : ", ") + std::string(sub.name);
    return error("unknown subcommand `" + word + "' (" + names + ")");
}

// Looks a setting up by precedence: its flag, then its variable in the environment, then in
// the config file, then its default.
std::optional<Given> given(const SettingRow& row, const CommandLine& line, const Environment& env,
                           const KeyValues& file) {
    if (auto it = line.flags.find(std::string(row.flag));
        !row.flag.empty() && it != line.flags.end()) {
        return Given{it->second, true};
    }
    auto from_text = [&](const std::string& text) {
        return Given{row.repeatable ? comma_list(text) : std::vector<std::string>{text}, false};
    };
    std::string variable(row.variable);
    if (auto it = env.find(variable); !row.variable.empty() && it != env.end())
        return from_text(it->second);
    if (auto it = file.find(variable); !row.variable.empty() && it != file.end())
        return from_text(it->second);
    if (!row.default_value.empty()) return from_text(std::string(row.default_value));
    return std::nullopt;
}

Result<std::string> panel_url(const Draft& d) {
    if (d.events_url) return *d.events_url;
    if (!d.panel_base && !d.server_id) return std::string();
    if (!d.panel_base || d.panel_base->empty())
        return error("SERVER_ID is set but PANEL_URL is not");
    if (!d.server_id || d.server_id->empty()) return error("PANEL_URL is set but SERVER_ID is not");
    const std::string& id = *d.server_id;
    bool id_ok = std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!id_ok) return error("bad SERVER_ID `" + id + "': use letters, digits, . _ -");
    std::string base = *d.panel_base;
    while (base.ends_with('/')) base.pop_back();
    return base + "/api/servers/" + id + "/events";
}

// The rules that span settings: which sources, which panel, which token.
Status apply_panel(Draft& d) {
    auto url = panel_url(d);
    if (!url) return url.error();
    if (url->empty()) return Ok{};
    PanelConfig panel;
    panel.url = *url;
    if (d.token_file_from_flag) {
        d.settings.panel_token_file = d.token_file;
    } else if (d.token) {
        if (has_control_characters(*d.token)) return error("PANEL_TOKEN holds control characters");
        panel.token = d.token;
    } else {
        d.settings.panel_token_file = d.token_file;
    }
    panel.ca_file = d.ca_file;
    if (panel.url.starts_with("http://") && (panel.token || d.settings.panel_token_file)) {
        d.settings.warnings.push_back(
            "the panel URL is http://: the token travels in clear; use https://");
    }
    if (d.panel_timeout) {
        auto s = parse_seconds(*d.panel_timeout, "panel timeout", 0.1, 600);
        if (!s) return s.error();
        panel.total_timeout = to_ms(*s);
        panel.connect_timeout = std::min(panel.connect_timeout, panel.total_timeout);
    }
    if (d.panel_gzip) {
        auto gzip = parse_panel_gzip(*d.panel_gzip);
        if (!gzip) return gzip.error();
        panel.gzip = *gzip;
    }
    d.settings.panel = std::move(panel);
    return Ok{};
}

bool readable_by_everyone(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH);
}

Result<std::string> read_secret_file(const std::string& path, const std::string& what,
                                     std::vector<std::string>& warnings) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return error("cannot read " + what + " file `" + path + "'");
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
    if (line.empty()) return error(what + " file `" + path + "' is empty");
    if (has_control_characters(line))
        return error(what + " file `" + path + "' holds control characters");
    if (readable_by_everyone(path)) {
        warnings.push_back(what + " file `" + path + "' is readable by every user; chmod o-r it");
    }
    return line;
}

bool names_a_secret(std::string_view key) {
    return key.find("TOKEN") != std::string_view::npos ||
           key.find("PASSWORD") != std::string_view::npos;
}

Result<KeyValues> read_known_config(const std::string& path, bool warn_unknown,
                                    std::vector<std::string>& warnings) {
    auto values = read_config_file(path);
    if (!values) return values.error();
    for (const auto& [key, value] : *values) {
        if (warn_unknown && !known_variable(key)) {
            warnings.push_back("unknown variable `" + key + "' in `" + path + "' is ignored");
        }
        // A *_FILE variable names a file, which read_secret_file checks in its turn.
        if (names_a_secret(key) && !key.ends_with("_FILE") && !value.empty() &&
            readable_by_everyone(path)) {
            warnings.push_back("`" + path + "' holds " + key +
                               " and is readable by every user; chmod o-r it");
        }
    }
    return values;
}

// --config FILE alone, else the legacy file and the default file, each when it exists. The
// legacy file is the old script's, with variables of its own: they are not warned about.
Result<KeyValues> load_config_files(const CommandLine& line, std::vector<std::string>& warnings) {
    if (auto it = line.flags.find(std::string(kConfigFlag)); it != line.flags.end()) {
        return read_known_config(it->second.back(), true, warnings);
    }
    std::vector<KeyValues> files;
    for (const char* path : {kLegacyConfigFile, kDefaultConfigFile}) {
        if (access(path, F_OK) != 0) continue;
        auto values = read_known_config(path, path == kDefaultConfigFile, warnings);
        if (!values) return values.error();
        files.push_back(std::move(*values));
    }
    return merge_config_files(files);
}

}  // namespace

Result<CommandLine> parse_command_line(const std::vector<std::string>& args) {
    CommandLine line;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (!arg.starts_with("-")) {
            if (line.command) return error("unexpected argument `" + arg + "'");
            auto command = parse_subcommand(arg);
            if (!command) return command.error();
            line.command = *command;
            continue;
        }
        std::string name = arg, value;
        bool inline_value = false;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            inline_value = true;
        }
        if (name == "-h") name = kHelpFlag;
        const SettingRow* row = row_of_flag(name);
        if (name == kHelpFlag || name == kVersionFlag) {
            if (inline_value) return error("option `" + name + "' takes no value");
            line.flags[name].push_back("");
            continue;
        }
        if (!row && name != kConfigFlag) return error("unknown option `" + name + "'");
        if (!inline_value && row && row->value_name.empty()) {
            value = "1";  // a switch: given alone, it is on
        } else if (!inline_value) {
            if (i + 1 >= args.size()) return error("option `" + name + "' needs a value");
            value = args[++i];
        }
        auto& values = line.flags[name];
        if (!(row && row->repeatable) && !values.empty())
            return error("option `" + name + "' is given more than once");
        values.push_back(value);
    }
    return line;
}

Result<Settings> resolve_values(const CommandLine& line, const Environment& env,
                                const KeyValues& file) {
    Draft draft;
    draft.settings.command = *line.command;
    for (const auto& row : setting_table()) {
        auto value = given(row, line, env, file);
        if (!value) continue;
        if (auto applied = row.apply(*value, draft); !applied) return applied.error();
    }
    Settings& settings = draft.settings;
    if (settings.endpoints.empty() && settings.wg_interfaces.empty()) {
        return error("no source configured: give --mgmt or --wg");
    }
    if (auto panel = apply_panel(draft); !panel) return panel.error();
    if (auto listeners = check_listeners(draft); !listeners) return listeners.error();
    if ((settings.command == Command::run || settings.command == Command::push) &&
        !settings.panel) {
        return error("no panel URL: give --url, PANEL_EVENTS_URL, or PANEL_URL and SERVER_ID");
    }
    return std::move(draft.settings);
}

Status read_setting_files(Settings& settings) {
    auto peer_names = load_peer_names(settings.wg_peer_files);
    if (!peer_names) return peer_names.error();
    settings.wg_peer_names = std::move(*peer_names);
    if (settings.mgmt_password_file) {
        auto password = read_secret_file(*settings.mgmt_password_file, "management password",
                                         settings.warnings);
        if (!password) return password.error();
        settings.mgmt_password = *password;
    }
    if (auto read = read_listener_files(settings, read_secret_file); !read) return read.error();
    if (!settings.panel) return Ok{};
    if (settings.panel_token_file) {
        auto token = read_secret_file(*settings.panel_token_file, "token", settings.warnings);
        if (!token) return token.error();
        settings.panel->token = *token;
    }
    if (settings.panel->ca_file && access(settings.panel->ca_file->c_str(), R_OK) != 0) {
        return error("cannot read CA file `" + *settings.panel->ca_file + "'");
    }
    return Ok{};
}

Result<Settings> resolve_settings(const std::vector<std::string>& args, const Environment& env) {
    auto line = parse_command_line(args);
    if (!line) return line.error();
    Settings settings;
    if (line->flags.count(std::string(kHelpFlag))) {
        settings.command = Command::help;
        return settings;
    }
    if (line->flags.count(std::string(kVersionFlag))) {
        settings.command = Command::version;
        return settings;
    }
    if (!line->command) return error("missing subcommand (run, snapshot, push); see --help");
    std::vector<std::string> warnings;
    auto file = load_config_files(*line, warnings);
    if (!file) return file.error();
    auto resolved = resolve_values(*line, env, *file);
    if (!resolved) return resolved.error();
    resolved->warnings.insert(resolved->warnings.begin(), warnings.begin(), warnings.end());
    if (auto read = read_setting_files(*resolved); !read) return read.error();
    return resolved;
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
        if (known_variable(key)) env.emplace(std::move(key), std::string(entry.substr(eq + 1)));
    }
    return env;
}

}  // namespace omp

#include "setup/server_config.hpp"

#include <algorithm>

namespace omp {

namespace {

// OpenVPN's own word splitting (options.c parse_line): white space separates, "..." and
// '...' group, backslash escapes outside single quotes; '#' or ';' starts a comment.
Result<std::vector<std::string>> split_words(std::string_view line, const std::string& where) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        if (i >= line.size()) break;
        if (words.empty() && (line[i] == '#' || line[i] == ';')) break;
        std::string word;
        char quote = 0;
        for (; i < line.size(); ++i) {
            char c = line[i];
            if (quote) {
                if (c == quote)
                    quote = 0;
                else if (c == '\\' && quote == '"' && i + 1 < line.size())
                    word += line[++i];
                else
                    word += c;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '\\' && i + 1 < line.size()) {
                word += line[++i];
            } else if (c == ' ' || c == '\t' || c == '\r') {
                break;
            } else {
                word += c;
            }
        }
        if (quote) return error(where + ": unterminated quote");
        words.push_back(std::move(word));
    }
    return words;
}

bool is_open_tag(const std::vector<std::string>& w) {
    return w.size() == 1 && w[0].size() > 2 && w[0].front() == '<' && w[0].back() == '>' &&
           w[0][1] != '/';
}

std::string management_address(const std::vector<std::string>& words) {
    if (words.size() >= 3 && words[2] == "unix") return "unix:" + words[1];
    if (words.size() >= 3) {
        std::string host =
            words[1].find(':') != std::string::npos ? "[" + words[1] + "]" : words[1];
        return host + ":" + words[2];
    }
    return words.size() >= 2 ? words[1] : "";
}

// `management IP PORT` with no password file: every local user can connect.
bool password_less_tcp(const std::vector<std::string>& words) {
    return words.size() == 3 && words[2] != "unix";
}

std::string open_management_warning(const std::string& address) {
    return "management on " + address +
           " has no password: any local user can connect to it, kill clients, signal OpenVPN, "
           "read every client's real address, or hold its only management slot so that this "
           "daemon's polls fail. `ovpn-mgmt-push setup --secure-management` moves it to a unix "
           "socket only root can reach (other tools reading that port must then move too)";
}

bool is_our_plugin(const std::vector<std::string>& words) {
    return words.size() >= 2 && words[0] == "plugin" &&
           std::string_view(words[1]).ends_with("openvpn-plugin-mgmt-push.so");
}

bool calls_old_hook(const ConfigLine& line, const std::string& hook) {
    const auto& w = line.words;
    if (w.empty() || (w[0] != "client-connect" && w[0] != "client-disconnect")) return false;
    return std::any_of(w.begin() + 1, w.end(), [&](const std::string& word) {
        return word.find(hook) != std::string::npos;
    });
}

}  // namespace

Result<ServerConfig> parse_server_config(std::string_view text, const std::string& origin) {
    if (text.find('\0') != std::string_view::npos)
        return error(origin + ": holds NUL bytes; not a config");
    ServerConfig config;
    config.final_newline = text.empty() || text.back() == '\n';
    std::string open_block;
    int line_number = 0;
    int block_start = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_number;
        std::string where = origin + ":" + std::to_string(line_number);
        ConfigLine line{std::string(raw), {}};
        if (!open_block.empty()) {
            std::string_view trimmed = raw;
            while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\r'))
                trimmed.remove_suffix(1);
            if (trimmed == "</" + open_block + ">") open_block.clear();
            config.lines.push_back(std::move(line));
            continue;
        }
        auto words = split_words(raw, where);
        if (!words) return words.error();
        if (is_open_tag(*words)) {
            open_block = words->front().substr(1, words->front().size() - 2);
            block_start = line_number;
            words->clear();
        } else if (!words->empty() && words->front().starts_with("</")) {
            return error(where + ": `" + words->front() + "' closes no open block");
        }
        line.words = std::move(*words);
        config.lines.push_back(std::move(line));
    }
    if (!open_block.empty()) {
        return error(origin + ":" + std::to_string(block_start) + ": <" + open_block +
                     "> is never closed");
    }
    return config;
}

std::string render_server_config(const ServerConfig& config) {
    std::string out;
    for (std::size_t i = 0; i < config.lines.size(); ++i) {
        out += config.lines[i].text;
        if (i + 1 < config.lines.size() || config.final_newline) out += '\n';
    }
    return out;
}

std::optional<std::vector<std::string>> find_directive(const ServerConfig& config,
                                                       std::string_view name) {
    for (const auto& line : config.lines) {
        if (!line.words.empty() && line.words[0] == name) return line.words;
    }
    return std::nullopt;
}

bool is_server_config(const ServerConfig& config) {
    if (find_directive(config, "server") || find_directive(config, "server-ipv6") ||
        find_directive(config, "server-bridge")) {
        return true;
    }
    auto mode = find_directive(config, "mode");
    return mode && mode->size() >= 2 && (*mode)[1] == "server";
}

std::string proto_family(const ServerConfig& config) {
    auto proto = find_directive(config, "proto");
    return proto && proto->size() >= 2 && (*proto)[1].starts_with("tcp") ? "tcp" : "udp";
}

namespace {

// The old script's hook lines go: it would run beside the plugin.
void remove_old_hooks(std::vector<ConfigLine>& lines, const SetupOptions& options,
                      SetupPlan& plan) {
    std::size_t before = lines.size();
    lines.erase(
        std::remove_if(lines.begin(), lines.end(),
                       [&](const ConfigLine& l) { return calls_old_hook(l, options.old_hook); }),
        lines.end());
    if (lines.size() != before) {
        plan.changes.push_back("removed " + std::to_string(before - lines.size()) +
                               " old hook line(s) calling " + options.old_hook);
    }
}

// Our plugin line, unless one is there: then its instance= names the source.
void plan_plugin(const std::vector<ConfigLine>& lines, const SetupOptions& options, SetupPlan& plan,
                 std::vector<ConfigLine>& added) {
    auto plugin = std::find_if(lines.begin(), lines.end(),
                               [](const ConfigLine& l) { return is_our_plugin(l.words); });
    plan.source = options.source;
    if (plugin != lines.end()) {
        for (const auto& word : plugin->words) {
            if (word.starts_with("instance=")) plan.source = word.substr(9);
        }
        return;
    }
    std::string text = "plugin " + options.plugin_path + " instance=" + options.source +
                       " socket=" + options.event_socket;
    added.push_back({text, {}});
    plan.changes.push_back("added plugin directive (instance=" + options.source + ")");
}

// The management line the daemon will query: kept, or added (or moved, when asked) as a
// root-only unix socket.
void plan_management(std::vector<ConfigLine>& lines, const SetupOptions& options, SetupPlan& plan,
                     std::vector<ConfigLine>& added) {
    auto management = std::find_if(lines.begin(), lines.end(), [](const ConfigLine& l) {
        return !l.words.empty() && l.words[0] == "management";
    });
    bool move = management != lines.end() && password_less_tcp(management->words) &&
                options.secure_management;
    if (management != lines.end() && !move) {
        plan.management = management_address(management->words);
        if (password_less_tcp(management->words))
            plan.warnings.push_back(open_management_warning(plan.management));
        return;
    }
    // Named for the instance the config ends up with (an existing plugin line may name it),
    // so two servers never share a socket.
    std::string socket = options.management_socket_dir + "/ovpn-mgmt-push-" + plan.source + ".sock";
    std::string socket_line = "management " + socket + " unix";
    if (move) {
        plan.changes.push_back("moved management from " + management_address(management->words) +
                               " to " + socket + " (root only)");
        lines.erase(management);
    } else {
        plan.changes.push_back("added " + socket_line + " (root only)");
    }
    added.push_back({socket_line, {}});
    plan.management = "unix:" + socket;
    plan.added_management_socket = true;
}

}  // namespace

SetupPlan plan_setup(ServerConfig config, const SetupOptions& options) {
    SetupPlan plan;
    std::vector<ConfigLine> added;
    remove_old_hooks(config.lines, options, plan);
    plan_plugin(config.lines, options, plan, added);
    plan_management(config.lines, options, plan, added);
    if (!added.empty()) {
        config.lines.push_back({"# added by ovpn-mgmt-push setup", {}});
        for (auto& line : added) config.lines.push_back(std::move(line));
        config.final_newline = true;
    }
    plan.config = std::move(config);
    return plan;
}

}  // namespace omp

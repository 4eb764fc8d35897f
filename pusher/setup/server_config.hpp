// Reading and amending an OpenVPN server config for `ovpn-mgmt-push setup`. Pure: text in,
// new text and a list of what changed out. Lines are kept byte for byte; changes are whole
// lines removed or appended, so a second run finds nothing to do.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace omp {

// One directive line: its words as OpenVPN splits them (quotes and backslashes honoured).
struct ConfigLine {
    std::string text;                // the line as written, without its newline
    std::vector<std::string> words;  // empty for blank lines, comments and inline blocks
};

struct ServerConfig {
    std::vector<ConfigLine> lines;
    bool final_newline = true;
};

// Refuses (with the line number) what OpenVPN would refuse too: NUL bytes, unterminated
// quotes, unbalanced <inline> blocks.
Result<ServerConfig> parse_server_config(std::string_view text, const std::string& origin);
std::string render_server_config(const ServerConfig& config);

// A server config has `server`, `server-ipv6`, `server-bridge` or `mode server`.
bool is_server_config(const ServerConfig& config);
// "udp" or "tcp", from the proto directive (OpenVPN's default is udp).
std::string proto_family(const ServerConfig& config);
// The words of the first directive `name`, if any.
std::optional<std::vector<std::string>> find_directive(const ServerConfig& config,
                                                       std::string_view name);

struct SetupOptions {
    std::string plugin_path;
    std::string event_socket;
    std::string source;  // this server's name in MGMT_ENDPOINTS
    // Where a config without a management line gets its unix socket (ovpn-mgmt-push-NAME.sock,
    // NAME the plugin's instance): a directory only root can enter, never a TCP port that
    // every local user can reach.
    std::string management_socket_dir;
    // Also move an existing password-less TCP management line to that socket.
    bool secure_management = false;
    std::string old_hook = "/usr/local/bin/ovpn-mgmt-push.sh";
};

struct SetupPlan {
    ServerConfig config;                // the amended config
    std::vector<std::string> changes;   // human-readable, empty when nothing to do
    std::vector<std::string> warnings;  // what is left open, and how to close it
    std::string source;                 // the plugin's instance= (existing or added)
    std::string management;             // "HOST:PORT" or "unix:PATH" of the management line
    bool added_management_socket = false;
};

SetupPlan plan_setup(ServerConfig config, const SetupOptions& options);

}  // namespace omp

// `ovpn-mgmt-push setup`: moves a server from the old timer script to the plugin by
// amending its OpenVPN server configs (see server_config.hpp for what changes) and retiring
// the script's systemd units (unit_retirement.hpp).
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"

namespace omp {

struct SetupArgs {
    std::vector<std::string> configs;  // --config, repeatable; empty: search
    std::vector<std::string> search_dirs = {"/etc/openvpn/server", "/etc/openvpn"};
    bool dry_run = false;
    bool units_only = false;  // retire the old script's systemd units, touch no OpenVPN config
    std::string plugin_path;
    std::string event_socket;
    std::string management_socket_dir = "/run/openvpn-server";
    bool secure_management = false;  // move password-less TCP management lines to a socket
};

// `args` are the words after "setup". Usage errors quote the bad word.
Result<SetupArgs> parse_setup_args(const std::vector<std::string>& args);
// Returns the exit status: 0 done (or nothing to do), 1 a config was refused or not written.
int run_setup(const SetupArgs& args);
std::string setup_usage_text();

}  // namespace omp

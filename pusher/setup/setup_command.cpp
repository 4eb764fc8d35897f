#include "setup/setup_command.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "base/version.hpp"
#include "event/event_datagram.hpp"
#include "setup/file_edits.hpp"
#include "setup/server_config.hpp"
#include "setup/text_diff.hpp"
#include "setup/unit_retirement.hpp"

namespace omp {

namespace {

struct ConfigFile {
    std::string path;    // as found or given: may be a symbolic link
    std::string target;  // the real file: what is edited and backed up; a link stays a link
    std::string text;
    ServerConfig config;

    std::string shown() const { return target == path ? path : path + " (" + target + ")"; }
};

std::vector<std::string> discover(const std::vector<std::string>& dirs) {
    std::vector<std::string> found;
    for (const auto& dir : dirs) {
        DIR* d = opendir(dir.c_str());
        if (!d) continue;
        std::vector<std::string> here;
        while (dirent* entry = readdir(d)) {
            std::string name = entry->d_name;
            if (name.size() > 5 && name.ends_with(".conf")) here.push_back(dir + "/" + name);
        }
        closedir(d);
        std::sort(here.begin(), here.end());
        found.insert(found.end(), here.begin(), here.end());
    }
    return found;
}

}  // namespace

namespace {

Result<std::string> back_up(const ConfigFile& file, const struct stat& st) {
    std::string backup =
        free_backup_path(file.target + ".bak-ovpn-mgmt-push-" + backup_timestamp());
    if (auto written = write_like(backup, file.text, st); !written) return written.error();
    return backup;
}

}  // namespace

Result<SetupArgs> parse_setup_args(const std::vector<std::string>& args) {
    SetupArgs parsed;
    parsed.plugin_path = kPluginInstallPath;
    parsed.event_socket = event::kDefaultSocketPath;
    bool searched = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value = [&](const char* name) -> Result<std::string> {
            if (i + 1 >= args.size())
                return error(std::string("option `") + name + "' needs a value");
            return args[++i];
        };
        if (arg == "--dry-run") {
            parsed.dry_run = true;
        } else if (arg == "--secure-management") {
            parsed.secure_management = true;
        } else if (arg == "--units-only") {
            parsed.units_only = true;
        } else if (arg == "--config" || arg == "--plugin" || arg == "--event-socket" ||
                   arg == "--search-dir" || arg == "--mgmt-socket-dir") {
            auto v = value(arg.c_str());
            if (!v) return v.error();
            if (arg == "--config")
                parsed.configs.push_back(*v);
            else if (arg == "--plugin")
                parsed.plugin_path = *v;
            else if (arg == "--event-socket")
                parsed.event_socket = *v;
            else if (arg == "--mgmt-socket-dir")
                parsed.management_socket_dir = *v;
            else {
                if (!searched) parsed.search_dirs.clear();
                searched = true;
                parsed.search_dirs.push_back(*v);
            }
        } else {
            return error("unknown setup option `" + arg + "' (see setup --help)");
        }
    }
    for (const auto* path :
         {&parsed.plugin_path, &parsed.event_socket, &parsed.management_socket_dir}) {
        if (path->empty() || path->front() != '/' ||
            path->find_first_of(" \t\"'") != std::string::npos) {
            return error("bad path `" + *path + "': absolute, without spaces or quotes");
        }
    }
    return parsed;
}

namespace {

// Reads and parses every config first: one unparsable file and nothing is changed anywhere.
// Returns nothing (having said why) when any file is refused or none is found.
std::optional<std::vector<ConfigFile>> read_server_configs(const std::vector<std::string>& paths,
                                                           bool explicit_files) {
    std::vector<ConfigFile> files;
    std::set<std::string> targets;
    bool refused = false;
    for (const auto& path : paths) {
        auto target = real_path(path);
        if (!target) {
            std::cerr << "ovpn-mgmt-push setup: " << target.error().message << "\n";
            refused = true;
            continue;
        }
        // A link and its target (or two links to one file) are one server, not two.
        if (!targets.insert(*target).second) continue;
        auto text = read_file(path);
        if (!text) {
            std::cerr << "ovpn-mgmt-push setup: " << text.error().message << "\n";
            refused = true;
            continue;
        }
        auto config = parse_server_config(*text, path);
        if (!config) {
            std::cerr << "ovpn-mgmt-push setup: refusing " << config.error().message << "\n";
            refused = true;
            continue;
        }
        if (!is_server_config(*config)) {
            if (explicit_files) {
                std::cerr << "ovpn-mgmt-push setup: refusing `" << path
                          << "': not an OpenVPN server config (no server or mode server line)\n";
                refused = true;
            }
            continue;
        }
        files.push_back({path, std::move(*target), std::move(*text), std::move(*config)});
    }
    if (refused) {
        std::cerr << "ovpn-mgmt-push setup: nothing changed\n";
        return std::nullopt;
    }
    if (files.empty()) {
        std::cerr
            << "ovpn-mgmt-push setup: no OpenVPN server config found; give one with --config\n";
        return std::nullopt;
    }
    return files;
}

// The names the servers get: unique, each with its own management socket.
class NamePicker {
  public:
    SetupOptions options_for(const ServerConfig& config, const SetupArgs& args) const {
        SetupOptions options;
        options.plugin_path = args.plugin_path;
        options.event_socket = args.event_socket;
        options.secure_management = args.secure_management;
        std::string family = proto_family(config);
        options.source = family;
        for (int n = 2; taken_.count(options.source); ++n)
            options.source = family + std::to_string(n);
        options.management_socket_dir = args.management_socket_dir;
        return options;
    }

    void taken_by(const SetupPlan& plan) { taken_.insert(plan.source); }

  private:
    std::set<std::string> taken_;
};

// The directory of the management sockets setup adds must keep every other user out: root's,
// with no permission for others (Debian's /run/openvpn-server is 0710 root:root).
Status check_management_socket_dir(const std::string& dir) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) {
        return error("management socket directory `" + dir + "': " + std::strerror(errno) +
                     " (give another with --mgmt-socket-dir)");
    }
    bool group_may_enter = st.st_gid != 0 && (st.st_mode & 0070) != 0;
    if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 0007) != 0 || group_may_enter) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return error("management socket directory `" + dir +
                     "' is not a directory of root's that other users cannot enter (mode " + mode +
                     ", uid " + std::to_string(st.st_uid) + ", gid " + std::to_string(st.st_gid) +
                     "); give another with --mgmt-socket-dir");
    }
    return Ok{};
}

// Shows (dry run) or writes one server's new config, with a backup; false when it failed.
bool apply_plan(const ConfigFile& f, const SetupPlan& plan, bool dry_run) {
    std::string new_text = render_server_config(plan.config);
    if (plan.changes.empty()) {
        std::cout << f.shown() << ": already set up (instance=" << plan.source << ")\n";
        return true;
    }
    if (dry_run) {
        std::cout << unified_diff(f.text, new_text, f.path, f.path + " (after setup)");
        return true;
    }
    // The target's mode and owner, checked: a failed stat must not make a file of mode 0000.
    struct stat st {};
    if (stat(f.target.c_str(), &st) != 0) {
        std::cerr << "ovpn-mgmt-push setup: cannot stat `" << f.target
                  << "': " << std::strerror(errno) << "\n";
        return false;
    }
    auto backup = back_up(f, st);
    Status written = backup ? write_like(f.target, new_text, st) : Status(backup.error());
    if (!written) {
        std::cerr << "ovpn-mgmt-push setup: " << written.error().message << "\n";
        return false;
    }
    std::cout << f.shown() << ":";
    for (const auto& change : plan.changes) std::cout << " " << change << ";";
    std::cout << " backup in " << *backup << "\n";
    return true;
}

}  // namespace

int run_setup(const SetupArgs& args) {
    if (args.units_only) return retire_old_units(args.dry_run, std::cout, std::cerr) ? 0 : 1;
    bool explicit_files = !args.configs.empty();
    auto files = read_server_configs(explicit_files ? args.configs : discover(args.search_dirs),
                                     explicit_files);
    if (!files) return 1;

    NamePicker picker;
    std::vector<SetupPlan> plans;
    for (const auto& f : *files) {
        plans.push_back(plan_setup(f.config, picker.options_for(f.config, args)));
        picker.taken_by(plans.back());
    }
    bool adds_socket = std::any_of(plans.begin(), plans.end(),
                                   [](const SetupPlan& p) { return p.added_management_socket; });
    auto dir = adds_socket ? check_management_socket_dir(args.management_socket_dir) : Status(Ok{});
    if (!dir) {
        std::cerr << "ovpn-mgmt-push setup: " << dir.error().message << "\nnothing changed\n";
        return 1;
    }
    std::vector<std::string> endpoints;
    int status = 0;
    for (std::size_t i = 0; i < files->size(); ++i) {
        const auto& f = (*files)[i];
        endpoints.push_back(plans[i].source + "=" + plans[i].management);
        if (!apply_plan(f, plans[i], args.dry_run)) status = 1;
        for (const auto& warning : plans[i].warnings)
            std::cout << f.shown() << ": warning: " << warning << "\n";
    }
    // The hook lines are gone now, so the old script's units go too: one move, not two halves.
    if (!retire_old_units(args.dry_run, std::cout, std::cerr)) status = 1;
    std::string list;
    for (const auto& e : endpoints) list += (list.empty() ? "" : ",") + e;
    std::cout << (args.dry_run ? "dry run, nothing changed. " : "")
              << "Set in /etc/default/ovpn-mgmt-push: MGMT_ENDPOINTS=" << list << "\n"
              << "Then restart OpenVPN, and: systemctl enable ovpn-mgmt-push; systemctl restart "
                 "ovpn-mgmt-push\n";
    return status;
}

std::string setup_usage_text() {
    return R"(Usage: ovpn-mgmt-push setup [--config SERVER.conf]... [--dry-run] [--units-only]
                            [--plugin PATH] [--event-socket PATH] [--search-dir DIR]...
                            [--mgmt-socket-dir DIR] [--secure-management]

Adds the plugin directive and, where missing, a management line to each OpenVPN server
config: a unix socket, DIR/ovpn-mgmt-push-NAME.sock, in a directory only root can enter
(--mgmt-socket-dir, default /run/openvpn-server, Debian's 0710 root:root), so no other
local user can reach OpenVPN's management interface. An existing `management IP PORT'
line without a password file is kept, with a warning of what any local user can do with
it; --secure-management moves it to the unix socket. Setup removes old
client-connect/client-disconnect lines that call /usr/local/bin/ovpn-mgmt-push.sh, and
keeps a backup of every file it changes.
Without --config it amends the server configs in /etc/openvpn/server and /etc/openvpn
(--search-dir replaces those). --dry-run prints the diff and changes nothing.

It also retires the old script's systemd units (ovpn-mgmt-push.timer and its oneshot
ovpn-mgmt-push.service in /etc/systemd/system, ovpn-status-push{,-tcp}.timer and .service):
stops and disables them, and keeps each unit file of /etc/systemd/system beside it as
NAME.bak-ovpn-mgmt-push-DATE. --units-only does that part alone (the package does it at
install, since the old oneshot unit hides the package's unit of the same name).
)";
}

}  // namespace omp

// ovpn-mgmt-push: thin entry point. Only main() decides the exit status.
#include <sys/prctl.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "base/log.hpp"
#include "base/version.hpp"
#include "commands/oneshot.hpp"
#include "commands/source_queries.hpp"
#include "config/settings.hpp"
#include "daemon/daemon.hpp"
#include "panel/panel_client.hpp"
#include "setup/setup_command.hpp"

namespace {

// `setup` edits OpenVPN configs and has options of its own.
int setup_main(const std::vector<std::string>& args) {
    if (std::find(args.begin(), args.end(), "--help") != args.end()) {
        std::cout << omp::setup_usage_text();
        return 0;
    }
    auto setup = omp::parse_setup_args(args);
    if (!setup) {
        omp::log::error(setup.error().message);
        return 2;
    }
    return omp::run_setup(*setup);
}

// The unit's ExecCondition=: only a server with no panel URL at all is skipped, with one
// line saying what to set, so a fresh install neither fails nor restarts in a loop. Any
// other problem is left for `run` to report (exit 2), so that a wrong setting marks the
// unit failed instead of skipping it quietly.
int is_configured_main(const std::vector<std::string>& args) {
    auto settings = omp::resolve_settings(args, omp::current_environment());
    if (!settings || settings->panel) return 0;
    omp::log::warning(
        std::string("not configured yet: set PANEL_URL and SERVER_ID (or PANEL_EVENTS_URL) in ") +
        omp::kDefaultConfigFile + ", then: systemctl restart ovpn-mgmt-push");
    return 1;
}

// The commands that POST check the panel URL with libcurl's own parser, once it is loaded;
// a bad one is a usage error like any other bad value.
omp::Result<omp::Settings> with_checked_url(omp::Result<omp::Settings> settings,
                                            const omp::Http& http) {
    if (!settings) return settings;
    if (auto valid = http.validate_url(settings->panel->url); !valid) return valid.error();
    return settings;
}

}  // namespace

int main(int argc, char** argv) {
    // Every command may read the panel token or a management password, and `run` holds
    // WireGuard answers with private keys: no core dump, no reading of our memory by other
    // processes of our user (a dumpable process's /proc/PID/mem, environ, ... are theirs).
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    std::vector<std::string> args(argv + 1, argv + argc);
    const omp::Subcommand* sub = args.empty() ? nullptr : omp::find_subcommand(args[0]);
    // These two parse their own arguments.
    if (sub && sub->command == omp::Command::setup)
        return setup_main({args.begin() + 1, args.end()});
    if (sub && sub->command == omp::Command::is_configured) return is_configured_main(args);
    auto settings = omp::resolve_settings(args, omp::current_environment());
    if (!settings) {
        omp::log::error(settings.error().message);
        return 2;
    }
    for (const auto& warning : settings->warnings) omp::log::warning(warning);

    switch (settings->command) {
        case omp::Command::help:
            std::cout << omp::usage_text();
            return 0;
        case omp::Command::version:
            std::cout << "ovpn-mgmt-push " << omp::kVersion << "\n";
            return 0;
        default:
            break;
    }
    // `snapshot` never speaks HTTP, so it neither loads libcurl nor checks the panel URL.
    if (settings->command == omp::Command::snapshot) return omp::run_snapshot(*settings);

    auto http = omp::Http::load();
    if (!http) {
        omp::log::error(http.error().message);
        return 1;
    }
    settings = with_checked_url(std::move(settings), *http);
    if (!settings) {
        omp::log::error(settings.error().message);
        return 2;
    }
    if (settings->command == omp::Command::push) return omp::run_push(*http, *settings);
    auto reload = [args, &http = *http] {
        return with_checked_url(omp::resolve_settings(args, omp::current_environment()), http);
    };
    return omp::run_daemon(*http, *settings, reload,
                           std::make_unique<omp::ConfiguredSources>(*settings));
}

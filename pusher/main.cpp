// ovpn-mgmt-push: thin entry point. Only main() decides the exit status.
#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "daemon.hpp"
#include "log.hpp"
#include "oneshot.hpp"
#include "settings.hpp"
#include "setup_command.hpp"
#include "version.hpp"

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

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "setup") return setup_main({args.begin() + 1, args.end()});
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
    if (settings->command == omp::Command::snapshot) return omp::run_snapshot(*settings);

    // Only the subcommands that POST pay for TLS initialisation.
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        omp::log::error("libcurl failed to initialise");
        return 1;
    }
    auto reload = [args] { return omp::resolve_settings(args, omp::current_environment()); };
    int status = settings->command == omp::Command::push ? omp::run_push(*settings)
                                                         : omp::run_daemon(*settings, reload);
    curl_global_cleanup();
    return status;
}

// ovpn-mgmt-push: thin entry point. Only main() decides the exit status.
#include <curl/curl.h>

#include <cstdio>
#include <iostream>

#include "daemon.hpp"
#include "log.hpp"
#include "oneshot.hpp"
#include "settings.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
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
    int status = settings->command == omp::Command::push ? omp::run_push(*settings)
                                                         : omp::run_daemon(*settings);
    curl_global_cleanup();
    return status;
}

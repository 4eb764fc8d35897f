// Runs systemctl for `setup` (retiring the old script's units): a plain child process with
// an argument vector, no shell, its output captured so that setup speaks for it.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"

namespace omp {

struct CommandOutcome {
    int exit_status = -1;  // -1: killed by a signal
    std::string output;    // stdout and stderr, as printed
};

// `systemctl ARGS...`; an error only when it could not be started at all.
Result<CommandOutcome> run_systemctl(const std::vector<std::string>& args);

// Whether systemd is the running init (sd_booted): only then can units be stopped. Without
// it (a chroot, an image build) `systemctl disable` still works on the unit files.
bool systemd_is_running();

}  // namespace omp

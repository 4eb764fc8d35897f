// SIGHUP: which of the freshly resolved settings take effect in a running daemon. The event
// socket, its user, the state directory and the OpenVPN logs are held by the running process;
// they change only on restart, and a reload that asks for a change says so rather than
// pretending.
#pragma once

#include <string>
#include <vector>

#include "config/settings.hpp"

namespace omp {

struct ReloadPlan {
    Settings settings;  // what the daemon runs with from now on
    std::vector<std::string> warnings;
    bool interval_changed = false;
};

ReloadPlan plan_reload(const Settings& running, Settings fresh);

}  // namespace omp

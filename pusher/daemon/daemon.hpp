// `ovpn-mgmt-push run`: one poll loop owns the event socket, the signals, the source queries'
// descriptors, the HTTP transfer and the timers; the rules it applies are CycleRunner's
// (cycle_runner.hpp).
#pragma once

#include <functional>
#include <memory>

#include "common/result.hpp"
#include "config/settings.hpp"
#include "daemon/cycle_runner.hpp"
#include "panel/panel_client.hpp"

namespace omp {

// Resolves the settings again (command line, environment, config file) on SIGHUP.
using SettingsReloader = std::function<Result<Settings>()>;

// Returns the process exit status. `http` is loaded; the panel URL checked.
int run_daemon(const Http& http, const Settings& settings, SettingsReloader reload,
               std::unique_ptr<SourcePoller> sources);

// Keeps freed memory in the heap instead of returning it to the kernel after every cycle.
// A cycle allocates and frees the same few megabytes every two seconds; without this, each
// cycle pays the page faults again (measured: 10k+10k sessions 62 ms -> 23 ms per cycle).
void keep_cycle_memory_mapped();

}  // namespace omp

// `ovpn-mgmt-push run`: one poll loop owns the event socket, the signals, the management
// queries, the HTTP transfer and the timers.
//
// A "cycle" polls every endpoint at once, applies the event overlay, merges and POSTs. At
// most one cycle (and so one POST) is in flight; events and ticks that arrive meanwhile only
// mark the state dirty and fold into the next cycle, so a storm yields a handful of POSTs and
// the last one is exact. Ticks sit on a fixed grid (start + k * interval), so the cadence
// does not drift however long a cycle takes.
#pragma once

#include <functional>

#include "curl_library.hpp"
#include "result.hpp"
#include "settings.hpp"

namespace omp {

// Resolves the settings again (command line, environment, config file) on SIGHUP.
using SettingsReloader = std::function<Result<Settings>()>;

// Returns the process exit status. `curl` is loaded and initialised; the panel URL checked.
int run_daemon(const CurlLibrary& curl, const Settings& settings, SettingsReloader reload);

// Keeps freed memory in the heap instead of returning it to the kernel after every cycle.
// A cycle allocates and frees the same few megabytes every two seconds; without this, each
// cycle pays the page faults again (measured: 10k+10k sessions 62 ms -> 23 ms per cycle).
void keep_cycle_memory_mapped();

}  // namespace omp

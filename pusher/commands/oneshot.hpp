// The one-shot subcommands: `snapshot` prints the payload, `push` POSTs it once.
#pragma once

#include "config/settings.hpp"
#include "panel/panel_client.hpp"

namespace omp {

// Both return the process exit status.
int run_snapshot(const Settings& settings);
int run_push(const Http& http, const Settings& settings);

}  // namespace omp

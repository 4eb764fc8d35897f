// The one-shot subcommands: `snapshot` prints the payload, `push` POSTs it once.
#pragma once

#include "settings.hpp"

namespace omp {

// Both return the process exit status.
int run_snapshot(const Settings& settings);
int run_push(const Settings& settings);

}  // namespace omp

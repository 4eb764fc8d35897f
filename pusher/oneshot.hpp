// The one-shot subcommands: `snapshot` prints the payload, `push` POSTs it once.
#pragma once

#include "settings.hpp"

namespace omp {

// Both return the process exit status.
int run_snapshot(const Settings& settings);
int run_push(const Settings& settings);

// Queries every endpoint and renders the payload, as both subcommands do.
std::string build_payload_once(const Settings& settings, bool& any_source_ok);

}  // namespace omp

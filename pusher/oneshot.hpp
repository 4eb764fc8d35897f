// The one-shot subcommands: `snapshot` prints the payload, `push` POSTs it once.
#pragma once

#include "curl_library.hpp"
#include "settings.hpp"

namespace omp {

// Both return the process exit status.
int run_snapshot(const Settings& settings);
int run_push(const CurlLibrary& curl, const Settings& settings);

}  // namespace omp

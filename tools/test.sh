#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds with warnings as errors, and runs
# every unit and end-to-end test through ctest. Run as root (OpenVPN servers need a tun device).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DOMP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure "$@"

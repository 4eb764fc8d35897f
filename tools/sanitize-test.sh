#!/usr/bin/env bash
# Every unit and end-to-end test again, with the plugin, the daemon and the tests built with
# AddressSanitizer + UndefinedBehaviorSanitizer (OpenVPN loads the instrumented plugin with the
# ASan runtime preloaded). Any report fails the test that triggered it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SANITIZE_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -DOMP_SANITIZE=ON -DOMP_WERROR=ON -DOMP_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure -E 'e2e.test_demo|e2e.test_soak' "$@"

#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time
# (FUZZ_SECONDS, default 45) over the corpus in tests/fuzz/corpus. New inputs go to a scratch
# directory; a crash fails the run and leaves its reproducer in the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-45}
build=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$build" -DOMP_FUZZ=ON -DOMP_BUILD_TESTS=OFF -DOMP_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz_status_parser fuzz_event_datagram fuzz_config_file fuzz_wireguard fuzz_proxy_session
for target in status_parser event_datagram config_file wireguard proxy_session; do
  scratch=$(mktemp -d)
  echo "== fuzz_$target for ${seconds}s"
  (cd "$build" && "./tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
     "$scratch" "../tests/fuzz/corpus/$target" 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==[0-9]+==ERROR|SUMMARY)")
  rm -rf "$scratch"
done
echo "fuzz: no finding"

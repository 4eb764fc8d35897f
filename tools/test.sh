#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds with warnings as errors, runs every
# unit and end-to-end test through ctest, then again under ASan + UBSan, the fuzzers for a
# bounded time, and the Debian package test. Run as root (OpenVPN servers need a tun device).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DOMP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
ctest --test-dir "$build" --output-on-failure "$@" | tee "$log" || status=1
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
total=${total:-0}; failed=${failed:-0}

# Every unit and end-to-end test again under ASan + UBSan, then the fuzzers for a bounded time.
for step in sanitize-test fuzz; do
  total=$((total + 1))
  if ! tools/$step.sh; then failed=$((failed + 1)); status=1; fi
done

# The package for Debian 12 and for Debian 13, each built in a clean tree of its release (unit
# tests inside, that release's lintian), once for the two steps below, and a newer build of
# each for the upgrade tests. Without them, the two steps below cannot run: they count as failed.
debs=$(mktemp -d /tmp/omp-debs-XXXXXX)
trap 'rm -f "$log"; rm -rf "$debs"' EXIT
total=$((total + 1))
if built=$(tools/test-debs.sh "$debs"); then
  eval "$built"
else
  failed=$((failed + 1)); status=1
fi

# On booted Debian 12 and Debian 13 servers (systemd as PID 1 under systemd-nspawn): migration
# from the old timer script, reload, restarts, upgrade, fresh install, purge; OpenVPN 2.7; an
# in-place upgrade from 12 to 13; a fleet of both releases rolled out by the Ansible role.
total=$((total + 1))
if [ -z "${OMP_DEB_DIR:-}" ] || ! tools/booted-test.sh; then failed=$((failed + 1)); status=1; fi

# The package: install, run the end-to-end tests against it, purge.
# SKIP_PACKAGE_TEST=1 leaves it out (it installs and removes ovpn-mgmt-push system-wide).
if [ "${SKIP_PACKAGE_TEST:-0}" != 1 ]; then
  total=$((total + 1))
  if [ -z "${OMP_DEB_DIR:-}" ] || ! tools/package-test.sh; then failed=$((failed + 1)); status=1; fi
fi
echo "summary: $((total - failed)) passed, $failed failed"
exit $status

#!/usr/bin/env bash
# The package on real, booted Debian 12 and Debian 13 servers: systemd as PID 1 under
# systemd-nspawn, the old timer script deployed as the fleet has it, Debian's openvpn-server@
# units, apt; every case of tests/booted/test_booted_host.py on each release with the build for
# that release, OpenVPN 2.7 from trixie-backports on Debian 13, and a fleet of a Debian 12 and
# a Debian 13 server rolled over by the Ansible role from a signed apt repository with a suite
# per release. Builds the packages (unless OMP_DEB_DIR names a folder tools/test-debs.sh
# filled), then runs tests/booted. The first run makes each release's tree with debootstrap
# (about 2 minutes each) and caches it in /var/cache/ovpn-mgmt-push-tests. Needs root.
# Extra arguments go to unittest for the release in OMP_SUITE (default bookworm), e.g. one case:
#   OMP_SUITE=trixie tools/booted-test.sh tests.booted.test_booted_host.DaemonUnderSystemd.test_systemctl_reload_changes_the_endpoints_live
# (the tests import the shared harness as the package tests.lib, from the top of the tree).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh

if [ -z "${OMP_DEB_DIR:-}" ]; then
  debs=$(mktemp -d /tmp/omp-booted-debs-XXXXXX)
  trap 'rm -rf "$debs"' EXIT
  echo "== building the package for each release, and a newer build of each"
  built=$(tools/test-debs.sh "$debs")
  eval "$built"
fi
export PYTHONDONTWRITEBYTECODE=1
if [ $# -gt 0 ]; then
  python3 -m unittest -v "$@"
  exit  # with unittest's status; the EXIT trap removes the packages built here
fi

status=0
# run WHAT ARGS...: one unittest run, its wall time as a figure line.
run() {
  local what=$1 started=$SECONDS
  shift
  echo "== booted: $what"
  "$@" || status=1
  echo "figure: booted $what: $((SECONDS - started)) s"
}
run "the builds" python3 -m unittest -v tests.booted.test_builds
for suite in bookworm trixie; do
  run "host cases on $suite" env OMP_SUITE=$suite python3 -m unittest -v tests.booted.test_booted_host
done
run "OpenVPN 2.7 on trixie" env OMP_SUITE=trixie python3 -m unittest -v tests.booted.test_openvpn27
run "Debian 12 upgraded in place to 13" python3 -m unittest -v tests.booted.test_release_upgrade
run "fleet of bookworm and trixie" python3 -m unittest -v tests.booted.test_fleet
exit $status

#!/usr/bin/env bash
# The package on real, booted Debian 12 servers: systemd as PID 1 under systemd-nspawn, the old
# timer script deployed as the fleet has it, Debian's openvpn-server@ units, apt; and a fleet of
# two rolled over by the Ansible role from a signed apt repository. Builds the
# .deb and a newer build of it (unless OMP_DEB and OMP_DEB_NEWER name them), then runs
# tests/booted. The first run makes the Debian 12 tree with debootstrap (about 2 minutes) and
# caches it in /var/cache/ovpn-mgmt-push-tests. Needs root. Extra arguments go to unittest
# (e.g. a single case: DaemonUnderSystemd.test_systemctl_reload_changes_the_endpoints_live).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh

if [ -z "${OMP_DEB:-}" ] || [ -z "${OMP_DEB_NEWER:-}" ]; then
  debs=$(mktemp -d /tmp/omp-booted-debs-XXXXXX)
  trap 'rm -rf "$debs"' EXIT
  echo "== building the package and a newer build of it"
  eval "$(tools/test-debs.sh "$debs")"
fi
echo "== booted-host tests with $(basename "$OMP_DEB") and $(basename "$OMP_DEB_NEWER")"
cd tests/booted
# Without arguments: every booted case, the single servers and then the fleet.
if [ $# -eq 0 ]; then set -- test_booted_host test_fleet; fi
PYTHONDONTWRITEBYTECODE=1 python3 -m unittest -v "$@"

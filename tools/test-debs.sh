#!/usr/bin/env bash
# Builds the package and a newer build of it (VERSION+test1) into OUTDIR, for the tests that
# install and upgrade, and prints the two `export' lines that name them: eval its output.
# Usage: eval "$(tools/test-debs.sh OUTDIR)"
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: tools/test-debs.sh OUTDIR}
tools/build-deb.sh "$out" "$(dpkg-parsechangelog -S Version)+test1" >/dev/null
echo "export OMP_DEB=$(ls "$out"/ovpn-mgmt-push_*.deb | grep -v '+test1_')"
echo "export OMP_DEB_NEWER=$(ls "$out"/ovpn-mgmt-push_*+test1_*.deb)"

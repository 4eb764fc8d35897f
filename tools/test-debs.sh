#!/usr/bin/env bash
# Builds the package for each Debian release (bookworm, trixie) and a newer build of each
# (VERSION+test1), into OUTDIR, for the tests that install and upgrade; prints the `export'
# line that names the folder (OMP_DEB_DIR): eval its output. The tests pick their release's
# build by its suffix (+deb12u1, +deb13u1). The two releases build one after the other (each
# build uses both cores).
# Usage: eval "$(tools/test-debs.sh OUTDIR)"
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: tools/test-debs.sh OUTDIR}
newer="$(dpkg-parsechangelog -S Version)+test1"
for suite in bookworm trixie; do
  DEB_SUITE=$suite tools/build-deb.sh "$out" "$newer" >/dev/null
done
echo "export OMP_DEB_DIR=$(cd "$out" && pwd)"

#!/usr/bin/env bash
# Builds the Debian package of this tree with dpkg-buildpackage into OUTDIR (created) and
# prints the .deb's path. With NEWER_VERSION it then builds the same tree again as that
# version (a changelog entry of its own, an incremental build): the "newer build" that the
# upgrade tests install over the first. Usage: tools/build-deb.sh OUTDIR [NEWER_VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: tools/build-deb.sh OUTDIR [NEWER_VERSION]}
newer=${2:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d /tmp/omp-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
tar --exclude-vcs --exclude='./build*' --exclude='./obj-*' -c . | tar -x -C "$work/src"

build() {  # dpkg-buildpackage's own output goes to a log, shown only when it fails
  (cd "$work/src" && dpkg-buildpackage -us -uc -b "$@" >"$work/build.log" 2>&1) || { tail -40 "$work/build.log" >&2; exit 1; }
}
build
if [ -n "$newer" ]; then
  { printf 'ovpn-mgmt-push (%s) unstable; urgency=medium\n\n  * Rebuild for upgrade tests.\n\n -- %s  %s\n\n' \
      "$newer" "ovpn-mgmt-push developers <ovpn-mgmt-push@example.org>" "$(date -R)"
    cat "$work/src/debian/changelog"; } >"$work/changelog" && mv "$work/changelog" "$work/src/debian/changelog"
  build -nc  # no clean: the same objects, a new version
fi
mv "$work"/*.deb "$out"/
ls "$out"/ovpn-mgmt-push_*.deb

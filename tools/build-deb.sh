#!/usr/bin/env bash
# Builds the Debian package of this tree for one Debian release into OUTDIR (created) and
# prints the .deb's path. The release is DEB_SUITE: bookworm (Debian 12) or trixie (Debian 13);
# default: this machine's. The build runs in a clean tree of that release (tools/build-tree.sh:
# debootstrap, under systemd-nspawn with a throwaway overlay and no network), with its
# compiler, Boost and debhelper; the unit tests run inside the build, warnings as errors; then
# that release's lintian must find no error and no warning. Prints the paths of the .debs of
# that release in OUTDIR.
#
# The version is the changelog's with the release's suffix, as Debian's own stable updates
# carry: 0.1.0+deb12u1 for bookworm, 0.1.0+deb13u1 for trixie. The Debian 13 build sorts
# above the Debian 12 build of the same version, so a server upgraded to Debian 13 moves to it,
# and both builds live in one pool; both sort above a plain 0.1.0 built before, so servers
# that run one upgrade to them.
#
# With NEWER_VERSION it then builds the same tree again as that version (a changelog entry of
# its own, an incremental build): the "newer build" that the upgrade tests install over the
# first. Usage: [DEB_SUITE=bookworm|trixie] tools/build-deb.sh OUTDIR [NEWER_VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: [DEB_SUITE=bookworm|trixie] tools/build-deb.sh OUTDIR [NEWER_VERSION]}
newer=${2:-}
suite=${DEB_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
case $suite in
  bookworm) release=12 ;;
  trixie) release=13 ;;
  *) echo "build-deb: DEB_SUITE \`$suite' is not a release this package is built for (bookworm, trixie)" >&2; exit 2 ;;
esac
started=$(date +%s)
tree=$(tools/build-tree.sh "$suite")
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d /tmp/omp-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"  # lintian reads the .debs as nobody
mkdir "$work/src"
tar --exclude-vcs --exclude='./build*' --exclude='./obj-*' -c . | tar -x -C "$work/src"
base=$(dpkg-parsechangelog -S Version)

# changelog_entry VERSION TEXT: a new top entry for this release, as dch would write it.
changelog_entry() {
  { printf 'ovpn-mgmt-push (%s+deb%su1) %s; urgency=medium\n\n  * %s\n\n -- %s  %s\n\n' \
      "$1" "$release" "$suite" "$2" "ovpn-mgmt-push developers <ovpn-mgmt-push@example.org>" "$(date -R)"
    cat "$work/src/debian/changelog"; } >"$work/changelog"
  mv "$work/changelog" "$work/src/debian/changelog"
}

# in_tree SCRIPT: runs SCRIPT in /build/src of a throwaway overlay of the clean tree.
in_tree() {
  systemd-nspawn --quiet --keep-unit --register=no --volatile=overlay --private-network \
    --machine="omp-build-$$" -D "$tree" --bind="$work:/build" --chdir=/build/src \
    --setenv=DEB_BUILD_OPTIONS="parallel=$(nproc)" --setenv=LANG=C.UTF-8 sh -c "$1" 2>&1 \
    | grep -v '^Attempted to remove disk file system under "/run/systemd/nspawn/propagate/'
  return "${PIPESTATUS[0]}"
}

# dpkg-buildpackage's own output goes to a log; when it fails, its error lines and its end.
build() {
  in_tree "dpkg-buildpackage -us -uc -b $*" >"$work/build.log" 2>&1 && return
  echo "build-deb: the build for Debian $release ($suite) failed:" >&2
  { sed 's/\x1b\[[0-9;]*[mK]//g' "$work/build.log" | grep -E -A3 'error:|FAILED|\*\*\*' | head -60; } >&2 || true
  tail -15 "$work/build.log" >&2
  exit 1
}

changelog_entry "$base" "Build for Debian $release ($suite)."
build
if [ -n "$newer" ]; then
  changelog_entry "$newer" "Rebuild for upgrade tests."
  build -nc  # no clean: the same objects, a new version
fi

# The release's own lintian, as nobody: no error, no warning (informational tags are shown,
# not fatal).
if ! in_tree 'runuser -u nobody -- env HOME=/tmp lintian --fail-on error,warning --display-info --color never --hyperlinks off /build/*.deb' \
    >"$work/lintian.log" 2>&1; then
  echo "build-deb: lintian of Debian $release ($suite) failed:" >&2
  cat "$work/lintian.log" >&2
  exit 1
fi
sed "s/^/build-deb: lintian ($suite): /" "$work/lintian.log" >&2
mv "$work"/*.deb "$out"/
echo "build-deb: built for Debian $release ($suite) in $(($(date +%s) - started)) s" >&2
ls "$out"/ovpn-mgmt-push_*+deb"$release"u1_*.deb

#!/usr/bin/env bash
# Prints the path of a clean build tree of Debian release SUITE (bookworm, trixie): debootstrap's
# buildd variant, this source package's Build-Depends (apt-get build-dep on debian/control) and
# that release's lintian. Made once and cached in OMP_ROOTFS_CACHE (default
# /var/cache/ovpn-mgmt-push-tests) under a name that carries a hash of debian/control and of
# the recipe below: new build dependencies, a new tree (and the older one of that release
# goes). Builds never change it: tools/build-deb.sh runs them under systemd-nspawn
# --volatile=overlay, so every build starts from the same tree.
# Needs root and Debian's mirror (the one this machine's apt uses). Usage: tools/build-tree.sh SUITE
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:?usage: tools/build-tree.sh SUITE}
case $suite in
  bookworm | trixie) ;;
  *) echo "build-tree: \`$suite' is not a release this package is built for (bookworm, trixie)" >&2; exit 2 ;;
esac

cache=${OMP_ROOTFS_CACHE:-/var/cache/ovpn-mgmt-push-tests}
# What the tree is made of, besides debian/control: change it and the tree is made anew.
recipe="debootstrap --variant=buildd; apt-get build-dep; lintian; no recommends"
key=$( (echo "$recipe"; cat debian/control) | sha256sum | cut -c1-12)
tree=$cache/build-$suite-$key
mkdir -p "$cache"
exec 9>"$cache/.lock-build-$suite"
flock 9  # two runs at once make the tree once
if [ -e "$tree/.complete" ]; then echo "$tree"; exit 0; fi

# The mirror apt uses here, as apt itself reports it (the same archive serves every release).
mirror=$(apt-cache policy | sed -n 's|^ *[0-9]* \(http[^ ]*\) [a-z]*/main .* Packages$|\1|p' | head -1)
if [ -z "$mirror" ]; then echo "build-tree: apt knows no Debian mirror here (run apt-get update)" >&2; exit 1; fi

partial=$tree.partial
log=$tree.log
rm -rf "$partial"
echo "build-tree: making the $suite build tree from $mirror (once; log in $log)" >&2
if ! debootstrap --variant=buildd "$suite" "$partial" "$mirror" >"$log" 2>&1; then
  tail -30 "$log" >&2; exit 1
fi
mkdir -p "$partial/srv/control/debian"
cp debian/control "$partial/srv/control/debian/control"
printf 'APT::Install-Recommends "false";\nAcquire::Languages "none";\n' >"$partial/etc/apt/apt.conf.d/99omp-build"
# The host's network (no --private-network) for this one apt run: it fetches the build deps
# and lintian (debootstrap alone cannot: lintian needs a virtual package, perl-openssl-abi-3).
if ! systemd-nspawn --quiet --keep-unit --register=no -D "$partial" --setenv=DEBIAN_FRONTEND=noninteractive \
     sh -c 'apt-get update -qq && apt-get build-dep -y -qq /srv/control && apt-get install -y -qq lintian && apt-get clean' >>"$log" 2>&1; then
  tail -30 "$log" >&2; exit 1
fi
rm -rf "$partial/srv/control"
touch "$partial/.complete"
mv "$partial" "$tree"
# Trees of this release made for an earlier debian/control or recipe are not used again.
for old in "$cache"/build-"$suite"-*; do
  [ "$old" = "$tree" ] || [ "$old" = "$log" ] || rm -rf "$old"
done
echo "$tree"

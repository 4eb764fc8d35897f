#!/usr/bin/env bash
# Builds, or adds to, a signed apt repository of ovpn-mgmt-push in OUTDIR, with reprepro:
# suite bookworm, component main, amd64. InRelease and Release.gpg are signed by the key whose
# fingerprint is in APT_REPO_SIGNING_KEY, taken from the keyring in GNUPGHOME as gpg does.
# OUTDIR can be served by any static web server. A newer build added later replaces the older
# one in the suite, and is what `apt-get upgrade` installs on the servers; an older build
# added again replaces the newer one (a rollback).
#
# Prints the deb822 stanza for /etc/apt/sources.list.d/ovpn-mgmt-push.sources, with the public
# key inline as Signed-By (never trusted=yes). APT_REPO_URI is the address the servers use
# (default: file://OUTDIR). The public key is also written to OUTDIR/ovpn-mgmt-push.asc.
#
# Usage: APT_REPO_SIGNING_KEY=FINGERPRINT tools/apt-repo.sh OUTDIR DEB...
set -euo pipefail

usage() { echo "usage: APT_REPO_SIGNING_KEY=FINGERPRINT $0 OUTDIR DEB..." >&2; exit 2; }
[ $# -ge 2 ] || usage
out=$1; shift
key=${APT_REPO_SIGNING_KEY:-}
if [ -z "$key" ]; then
  echo "apt-repo: APT_REPO_SIGNING_KEY is not set: give the signing key's fingerprint" >&2
  exit 2
fi
for deb in "$@"; do
  if [ ! -f "$deb" ]; then echo "apt-repo: no such package \`$deb'" >&2; exit 2; fi
done
if ! gpg --batch --list-secret-keys "$key" >/dev/null 2>&1; then
  echo "apt-repo: no secret key \`$key' in ${GNUPGHOME:-~/.gnupg}" >&2
  exit 2
fi

mkdir -p "$out/conf"
out=$(cd "$out" && pwd)
cat > "$out/conf/distributions" <<CONF
Origin: ovpn-mgmt-push
Label: ovpn-mgmt-push
Codename: bookworm
Suite: bookworm
Architectures: amd64
Components: main
Description: ovpn-mgmt-push for Debian 12
SignWith: $key
CONF
for deb in "$@"; do
  package=$(dpkg-deb -f "$deb" Package)
  version=$(dpkg-deb -f "$deb" Version)
  current=$(reprepro --basedir "$out" --list-format '${version}' list bookworm "$package" 2>/dev/null || true)
  # The suite holds one version of a package. An older build published again is a rollback:
  # it replaces the newer one (servers get it with ovpn_mgmt_push_version pinned to it).
  if [ -n "$current" ] && dpkg --compare-versions "$version" lt "$current"; then
    echo "apt-repo: replacing $package $current with the older $version (a rollback)" >&2
    reprepro --basedir "$out" --silent remove bookworm "$package"
  fi
  reprepro --basedir "$out" --silent includedeb bookworm "$deb"
done
# reprepro's own database stays beside the published tree; servers only need dists/ and pool/.
gpg --batch --armor --export "$key" > "$out/ovpn-mgmt-push.asc"

uri=${APT_REPO_URI:-file://$out}
echo "Types: deb"
echo "URIs: $uri"
echo "Suites: bookworm"
echo "Components: main"
echo "Architectures: amd64"
echo "Signed-By:"
# deb822 folds the key into the field: each line indented, an empty line as " .".
sed -e 's/^$/./' -e 's/^/ /' "$out/ovpn-mgmt-push.asc"

#!/usr/bin/env bash
# Builds, or adds to, a signed apt repository of ovpn-mgmt-push in OUTDIR, with reprepro: one
# suite per Debian release, bookworm (Debian 12) and trixie (Debian 13), component main, amd64.
# Each .deb goes to the suite its version names (tools/build-deb.sh: +deb12u1 -> bookworm,
# +deb13u1 -> trixie); a .deb without that suffix is refused. InRelease and Release.gpg are
# signed by the key whose fingerprint is in APT_REPO_SIGNING_KEY, taken from the keyring in
# GNUPGHOME as gpg does; apt 3.0 (Debian 13) checks them with sqv, which accepts Ed25519 and
# RSA of 3072 bits or more, not DSA, RSA under 2048 bits or SHA-1 self-signatures.
# OUTDIR can be served by any static web server. A newer build added later replaces the older
# one in the suite, and is what `apt-get upgrade` installs on the servers; an older build
# added again replaces the newer one (a rollback).
#
# Prints, for each suite it published to, the deb822 stanza for
# /etc/apt/sources.list.d/ovpn-mgmt-push.sources on a server of that release, with the public
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
# suite_of DEB: the suite a build belongs to, by its version's release suffix.
suite_of() {
  case $(dpkg-deb -f "$1" Version) in
    *+deb12u[0-9]*) echo bookworm ;;
    *+deb13u[0-9]*) echo trixie ;;
    *) return 1 ;;
  esac
}
for deb in "$@"; do
  if [ ! -f "$deb" ]; then echo "apt-repo: no such package \`$deb'" >&2; exit 2; fi
  if ! suite_of "$deb" >/dev/null; then
    echo "apt-repo: \`$deb' (version $(dpkg-deb -f "$deb" Version)) names no Debian release (+deb12u1, +deb13u1): build it with tools/build-deb.sh" >&2
    exit 2
  fi
done
if ! gpg --batch --list-secret-keys "$key" >/dev/null 2>&1; then
  echo "apt-repo: no secret key \`$key' in ${GNUPGHOME:-~/.gnupg}" >&2
  exit 2
fi

mkdir -p "$out/conf"
out=$(cd "$out" && pwd)
for release in "bookworm 12" "trixie 13"; do
  cat <<CONF
Origin: ovpn-mgmt-push
Label: ovpn-mgmt-push
Codename: ${release% *}
Suite: ${release% *}
Architectures: amd64
Components: main
Description: ovpn-mgmt-push for Debian ${release#* }
SignWith: $key

CONF
done > "$out/conf/distributions"
published=()
for deb in "$@"; do
  suite=$(suite_of "$deb")
  package=$(dpkg-deb -f "$deb" Package)
  version=$(dpkg-deb -f "$deb" Version)
  current=$(reprepro --basedir "$out" --list-format '${version}' list "$suite" "$package" 2>/dev/null || true)
  # The suite holds one version of a package. An older build published again is a rollback:
  # it replaces the newer one (servers get it with ovpn_mgmt_push_version pinned to it).
  if [ -n "$current" ] && dpkg --compare-versions "$version" lt "$current"; then
    echo "apt-repo: replacing $package $current with the older $version (a rollback)" >&2
    reprepro --basedir "$out" --silent remove "$suite" "$package"
  fi
  reprepro --basedir "$out" --silent includedeb "$suite" "$deb"
  [[ " ${published[*]} " == *" $suite "* ]] || published+=("$suite")
done
# Both suites exist from the first run on (a release with no build yet has an empty index), so
# a server of either release finds a signed Release file.
reprepro --basedir "$out" --silent export
# reprepro's own database stays beside the published tree; servers only need dists/ and pool/.
gpg --batch --armor --export "$key" > "$out/ovpn-mgmt-push.asc"

uri=${APT_REPO_URI:-file://$out}
for suite in "${published[@]}"; do
  echo "# on a Debian $([ "$suite" = bookworm ] && echo 12 || echo 13) ($suite) server:"
  echo "Types: deb"
  echo "URIs: $uri"
  echo "Suites: $suite"
  echo "Components: main"
  echo "Architectures: amd64"
  echo "Signed-By:"
  # deb822 folds the key into the field: each line indented, an empty line as " .".
  sed -e 's/^$/./' -e 's/^/ /' "$out/ovpn-mgmt-push.asc"
done

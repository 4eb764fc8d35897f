#!/usr/bin/env bash
# The Debian package, end to end: build the .deb of this machine's release from this tree
# (tools/build-deb.sh lints it with that release's lintian), install it with apt,
# verify the unit, run the end-to-end tests against the INSTALLED plugin and binary, purge it
# and check that nothing of it is left. Needs root; it installs and removes the package.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh

work=$(mktemp -d /tmp/omp-package-XXXXXX)
trap 'rm -rf "$work"' EXIT

release=$(. /etc/os-release && echo "$VERSION_ID")
echo "== the package for Debian $release"
if [ -n "${OMP_DEB_DIR:-}" ]; then
  deb=$(ls "$OMP_DEB_DIR"/ovpn-mgmt-push_*+deb"${release}"u1_*.deb | grep -v '+test1+')
else
  deb=$(tools/build-deb.sh "$work/debs")
fi

# The timers of the script this package replaces, enabled as an operator would have.
old_timers="ovpn-status-push.timer ovpn-status-push-tcp.timer"
mkdir -p /etc/systemd/system/timers.target.wants
for t in $old_timers; do
  printf '[Unit]\nDescription=old %s\n[Timer]\nOnUnitActiveSec=2s\n[Install]\nWantedBy=timers.target\n' "$t" \
    >"/etc/systemd/system/$t"
  ln -sf "/etc/systemd/system/$t" "/etc/systemd/system/timers.target.wants/$t"
done
cleanup_timers() { for t in $old_timers; do rm -f "/etc/systemd/system/$t" "/etc/systemd/system/$t".bak-ovpn-mgmt-push-* "/etc/systemd/system/timers.target.wants/$t"; done; }
trap 'rm -rf "$work"; cleanup_timers' EXIT

echo "== apt-get install $deb"
if dpkg -s ovpn-mgmt-push >/dev/null 2>&1; then
  echo "ovpn-mgmt-push is installed already; this test installs and purges it" >&2
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
plugin=/usr/lib/$multiarch/openvpn/plugins/openvpn-plugin-mgmt-push.so
test -x /usr/sbin/ovpn-mgmt-push
test -f "$plugin"
test "$(stat -c %a /etc/default/ovpn-mgmt-push)" = 600
/usr/sbin/ovpn-mgmt-push --version

for t in $old_timers; do
  if [ -e "/etc/systemd/system/timers.target.wants/$t" ]; then echo "old timer $t still enabled" >&2; exit 1; fi
done
echo "old timers disabled"

echo "== systemd-analyze verify"
unit_dir=$(pkg-config --variable=systemdsystemunitdir systemd)
verify=$(systemd-analyze verify "$unit_dir/ovpn-mgmt-push.service" 2>&1 || true)
if [ -n "$verify" ]; then echo "$verify"; exit 1; fi

echo "== end-to-end tests against the installed files"
OMP_BIN=/usr/sbin/ovpn-mgmt-push OMP_PLUGIN="$plugin" PYTHONDONTWRITEBYTECODE=1 python3 -m unittest \
  tests.e2e.test_daemon tests.e2e.test_oneshot tests.e2e.test_setup tests.e2e.test_wireguard \
  tests.e2e.test_reasons_journal

echo "== apt-get purge"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ovpn-mgmt-push >/dev/null
left=0
for f in /usr/sbin/ovpn-mgmt-push "$plugin" "$unit_dir/ovpn-mgmt-push.service" \
         /etc/default/ovpn-mgmt-push /usr/share/man/man8/ovpn-mgmt-push.8.gz /usr/share/doc/ovpn-mgmt-push; do
  if [ -e "$f" ]; then echo "left behind after purge: $f" >&2; left=1; fi
done
if dpkg -s ovpn-mgmt-push >/dev/null 2>&1; then echo "still known to dpkg after purge" >&2; left=1; fi
[ "$left" -eq 0 ]
echo "package test: passed"

#!/usr/bin/env bash
# Installs, with apt, every package of this Debian 12 machine that building and testing
# ovpn-mgmt-push needs (the Debian 13 trees the tests use are made by debootstrap).
# Does nothing (and needs no network) when they are all present already.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config
  libcurl4-openssl-dev nlohmann-json3-dev libsystemd-dev libmicrohttpd-dev zlib1g-dev
  libboost-test-dev libbenchmark-dev
  # libFuzzer targets
  clang libclang-rt-14-dev
  # the style check in the test suite
  clang-format
  # tests and demo: real OpenVPN, a PKI, the stand-in panel
  openvpn openssl python3 procps time
  # the panel behind a real TLS front (tests/e2e/test_tls_front.py, bench/panel_cost.py)
  nginx
  # the metrics tests: the real Prometheus server and its promtool
  prometheus
  # WireGuard sources: wg(8), and userspace interfaces for the tests (no kernel module here)
  wireguard-tools wireguard-go
  # the package test: build, lint and check the unit
  build-essential debhelper dpkg-dev lintian systemd man-db
  # the package builds and the booted-host tests: Debian 12 and 13 trees, built in or booted
  # with systemd as PID 1 under systemd-nspawn, each host in a named network namespace (ip)
  debootstrap systemd-container iproute2
  # the fleet: a signed apt repository (tools/apt-repo.sh), the Ansible role over SSH
  reprepro gnupg ansible-core ansible-lint openssh-client
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]}; run as root (sudo) to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

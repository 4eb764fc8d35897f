#!/usr/bin/env bash
# The live demo: two real OpenVPN servers (UDP and TCP) loading the plugin, the daemon, a
# stand-in panel that prints every payload as it arrives, clients coming and going, and a
# WireGuard interface (wireguard-go) with one peer.
# Run as root on Debian 12; Ctrl-C stops and removes everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ovpn-mgmt-push openvpn-plugin-mgmt-push >/dev/null
exec python3 -m demo.live_demo "$@"  # from the top: it imports tests.lib

"""WireGuard sources with real userspace WireGuard: two wireguard-go interfaces in two network
namespaces of the test's own, linked by a veth pair; the peer sends real packets through the
tunnel (so a real handshake happens) and the aggregator reads the server side with `wg`."""
import base64
import json
import os
import subprocess
import statistics
import sys
import time
import unittest

from tests.lib.harness import (Aggregator, NetNamespace, OpenVPNClient, OpenVPNServer, PanelStandIn, Pki, Processes,
                     WireGuardInterface, Workdir, run_binary, users_by_name, wait_until)

SERVER_TUNNEL, PEER_TUNNEL = "10.204.0.1", "10.204.0.2"
SERVER_LINK, PEER_LINK = "10.203.0.1", "10.203.0.2"

PAYLOAD = 1000
PACKETS_PER_SECOND = 200
SECONDS = 6
# WireGuard counts the whole transport message: the inner IPv4+UDP packet (1028 bytes) padded
# to a multiple of 16 (1040), plus its 16-byte header and 16-byte authentication tag.
EXPECTED_RX_BPS = (1040 + 32) * PACKETS_PER_SECOND
TOLERANCE = 0.15

SENDER = """
import socket, sys, time
count, rate = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
data = b"x" * %d
start = time.monotonic()
for i in range(count):
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    s.sendto(data, ("%s", 9))
""" % (PAYLOAD, SERVER_TUNNEL)


def found_in_memory(pid, needles, largest=256 << 20, chunk=16 << 20):
    """Which of `needles` are anywhere in the process's writable memory (heap, stack,
    anonymous maps), read as root through /proc/PID/mem. Maps over `largest` are skipped: the
    daemon's own are far smaller, ASan's shadow (in the sanitizer run) is terabytes."""
    found = set()
    overlap = max(len(n) for n in needles)
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if not fields[1].startswith("rw") or end - start > largest:
                continue
            for at in range(start, end, chunk):
                try:
                    mem.seek(at)
                    data = mem.read(min(chunk + overlap, end - at))
                except OSError:
                    break
                found |= {n for n in needles if n in data}
    return found


class WireGuard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.procs = Processes()
        cls.work = Workdir(prefix="omp-wg-")
        cls.server_ns, cls.peer_ns = NetNamespace("omp-wg-s"), NetNamespace("omp-wg-p")
        try:
            cls.server_ns.link_to(cls.peer_ns, SERVER_LINK, PEER_LINK)
            cls.server = WireGuardInterface(cls.procs, cls.work, cls.server_ns, SERVER_TUNNEL)
            cls.peer = WireGuardInterface(cls.procs, cls.work, cls.peer_ns, PEER_TUNNEL)
            cls.connect_peer()
            cls.peers_file = cls.work.join("peers")
            with open(cls.peers_file, "w") as f:
                f.write(f"# name the test's peer\n{cls.peer.public_key} carol\n")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        cls.server_ns.remove()
        cls.peer_ns.remove()
        cls.work.remove()

    @classmethod
    def connect_peer(cls):
        """(Re)configures both ends and sends a packet: a fresh handshake, a new run."""
        cls.server.add_peer(cls.peer.public_key, f"{PEER_TUNNEL}/32,fd00:204::2/128")
        cls.peer.add_peer(cls.server.public_key, f"{SERVER_TUNNEL}/32", endpoint=f"{SERVER_LINK}:{cls.server.port}")
        cls.send(1, 1)
        wait_until(lambda: cls.server.dump()[cls.peer.public_key]["latest_handshake"] != "0", 10,
                   what="a WireGuard handshake")

    @classmethod
    def send(cls, count, rate):
        cls.peer_ns.run([sys.executable, "-c", SENDER, str(count), str(rate)], check=True, timeout=60)

    def snapshot(self, *args):
        return self.snapshot_env(*args)

    def snapshot_env(self, *args, **env):
        status, out, err = run_binary("snapshot", "--config", "/dev/null", "--wg", f"wg={self.server.name}",
                                      "--wg-peers", self.peers_file, *args,
                                      env=dict(os.environ, MGMT_ENDPOINTS="", **env))
        self.assertEqual(status, 0, err)
        return json.loads(out)

    def daemon(self, panel, *args, peers=None):
        sock = self.work.join(f"events-{time.monotonic_ns()}.sock")
        agg = Aggregator(self.procs, self.work, ["--wg", f"wg={self.server.name}", "--wg-peers", peers or self.peers_file,
                                                 "--url", panel.url(), "--event-socket", sock, *args],
                         env=dict(os.environ, MGMT_ENDPOINTS=""))
        agg.start(sock)
        self.addCleanup(agg.stop)
        return agg

    def panel(self):
        panel = PanelStandIn()
        self.addCleanup(panel.close)
        return panel

    def test_a_peer_after_a_real_handshake_is_a_user_as_wg_sees_it(self):
        payload = self.snapshot()
        row = self.server.dump()[self.peer.public_key]
        user = users_by_name(payload)["carol"]
        self.assertEqual(user["proto"], "wg")
        self.assertEqual(user["common_name"], self.peer.public_key)
        self.assertEqual(f"{user['client_ip']}:{user['client_port']}", row["endpoint"])
        self.assertEqual(user["client_ip"], PEER_LINK)
        self.assertEqual(user["virtual_ip"], PEER_TUNNEL)
        self.assertEqual(user["virtual_ipv6"], "fd00:204::2")
        self.assertEqual(user["connected_at"], int(row["latest_handshake"]))
        self.assertGreater(user["bytes_received"], 0)
        self.assertLessEqual(user["bytes_received"], int(row["transfer_rx"]))
        self.assertEqual(payload["clients"], 1)
        source = payload["sources"][0]
        self.assertEqual((source["name"], source["kind"], source["ok"]), ("wg", "wireguard", True))

    def test_wg_show_dump_reads_the_interface_as_the_uapi_socket_does(self):
        # An empty WG_UAPI_DIR hides the socket from the aggregator (not from wg): the same
        # interface is then read by running `wg show IFACE dump`, as kernel interfaces are.
        empty = self.work.join("no-uapi-sockets")
        os.makedirs(empty, exist_ok=True)
        over_uapi = users_by_name(self.snapshot())["carol"]
        with_wg = users_by_name(self.snapshot_env(WG_UAPI_DIR=empty))["carol"]
        for key in ("client_ip", "client_port", "virtual_ip", "virtual_ipv6", "connected_at", "common_name"):
            self.assertEqual(with_wg[key], over_uapi[key], key)

    def test_a_peer_without_a_name_is_listed_by_its_public_key(self):
        status, out, err = run_binary("snapshot", "--config", "/dev/null", "--wg", f"wg={self.server.name}",
                                      env=dict(os.environ, MGMT_ENDPOINTS=""))
        self.assertEqual(status, 0, err)
        self.assertIn(self.peer.public_key, users_by_name(json.loads(out)))

    def test_a_peer_whose_handshake_is_older_than_the_threshold_is_not_listed(self):
        handshake = int(self.server.dump()[self.peer.public_key]["latest_handshake"])
        wait_until(lambda: time.time() - handshake >= 2.5, 10, what="the handshake to age")
        self.assertNotIn("carol", users_by_name(self.snapshot("--wg-handshake-timeout", "1")))
        self.assertIn("carol", users_by_name(self.snapshot("--wg-handshake-timeout", "180")))

    def test_a_missing_interface_is_an_error_of_its_own_source_only(self):
        payload = self.snapshot("--wg", "gone=ompnosuch0")
        sources = {s["name"]: s for s in payload["sources"]}
        self.assertTrue(sources["wg"]["ok"])
        self.assertFalse(sources["gone"]["ok"])
        self.assertIn("ompnosuch0", sources["gone"]["error"])
        self.assertIn("carol", users_by_name(payload))

    def test_rate_of_a_peer_matches_traffic_pushed_through_the_tunnel(self):
        panel = self.panel()
        self.daemon(panel, "--interval", "0.5")
        panel.wait_for_payload(lambda p: "carol" in users_by_name(p), 10)
        mark = panel.count()
        t0 = time.time()
        self.send(PACKETS_PER_SECOND * SECONDS, PACKETS_PER_SECOND)
        t1 = time.time()
        inside = [r for r in panel.requests[mark:] if t0 + 1.5 < r["arrived"] < t1 - 0.5]
        rates = [users_by_name(json.loads(r["body"]))["carol"]["rx_bps"] for r in inside]
        self.assertGreaterEqual(len(rates), 4, rates)
        median = statistics.median(rates)
        print(f"\nWireGuard rx_bps median {median:.0f} over {len(rates)} posts; "
              f"expected {EXPECTED_RX_BPS} +-{TOLERANCE:.0%}")
        self.assertAlmostEqual(median, EXPECTED_RX_BPS, delta=EXPECTED_RX_BPS * TOLERANCE)

    def test_a_name_added_to_the_peer_map_shows_without_a_restart(self):
        renamed = self.work.join("peers-renamed")
        with open(renamed, "w") as f:
            f.write("")
        panel = self.panel()
        self.daemon(panel, "--interval", "0.5", peers=renamed)
        panel.wait_for_payload(lambda p: self.peer.public_key in users_by_name(p), 10)
        with open(renamed, "w") as f:
            f.write(f"[Peer]\n# Name = dave\nPublicKey = {self.peer.public_key}\n")
        panel.wait_for_payload(lambda p: "dave" in users_by_name(p), 10)

    def test_no_private_or_preshared_key_stays_in_the_daemons_memory(self):
        # An interface whose UAPI answer (its private key first, then 1,500 peers with a
        # preshared key each, about 400 KB) takes several reads and grows its buffer.
        # (The peers never shake hands: the source lists no session.)
        iface = WireGuardInterface(self.procs, self.work, self.server_ns, "10.206.0.1")
        psk = subprocess.run(["wg", "genpsk"], capture_output=True, text=True, check=True).stdout.strip()
        psk_file = self.work.join("psk")
        with open(os.open(psk_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(psk + "\n")
        peers = [base64.b64encode(os.urandom(32)).decode() for _ in range(1500)]
        for chunk in range(0, len(peers), 300):
            args = []
            for key in peers[chunk:chunk + 300]:
                args += ["peer", key, "preshared-key", psk_file]
            iface.wg("set", iface.name, *args)
        secrets = {name: base64.b64decode(key).hex().encode() for name, key in
                   (("private key", iface.private_key), ("preshared key", psk))}
        panel = self.panel()
        sock = self.work.join(f"events-{time.monotonic_ns()}.sock")
        # One poll, then none for a minute: memory is read while no query is in flight (a poll
        # in progress holds the answer it is reading, as it must).
        agg = Aggregator(self.procs, self.work, ["--wg", f"secret={iface.name}", "--url", panel.url(),
                                                 "--event-socket", sock, "--interval", "60"],
                         env=dict(os.environ, MGMT_ENDPOINTS=""))
        agg.start(sock)
        self.addCleanup(agg.stop)
        wait_until(lambda: any(s["name"] == "secret" and s["ok"] and s["sessions"] == 0
                               for p in panel.accepted() for s in p["sources"]), 15,
                   what="a complete poll of the interface, posted")
        self.assertEqual(found_in_memory(agg.proc.pid, secrets.values()), set())

    def test_wireguard_and_openvpn_users_of_one_name_merge_most_recent_first(self):
        pki = Pki(self.work.join("pki"))
        sock = self.work.join("ovpn-events.sock")
        server = OpenVPNServer(self.procs, self.work, pki, "udp", "udp", event_socket=sock, with_auth=False)
        server.start()
        panel = self.panel()
        agg = Aggregator(self.procs, self.work, ["--mgmt", f"udp={server.mgmt_address}", "--wg",
                                                 f"wg={self.server.name}", "--wg-peers", self.peers_file,
                                                 "--url", panel.url(), "--event-socket", sock,
                                                 "--interval", "0.5"])
        agg.start(sock)
        self.addCleanup(agg.stop)

        # The OpenVPN carol logs in after the WireGuard carol's run began: OpenVPN's wins.
        wait_until(lambda: time.time() >= int(self.server.dump()[self.peer.public_key]["latest_handshake"]) + 1.5,
                   10, what="a second after the handshake")
        client = OpenVPNClient(self.procs, self.work, pki, server, "carol")
        client.start()
        first = panel.wait_for_payload(lambda p: users_by_name(p).get("carol", {}).get("proto") == "udp", 20)
        self.assertEqual([u["username"] for u in first["users"]].count("carol"), 1)
        self.assertEqual(first["clients"], len(first["users"]))

        # A new run of handshakes (the peer removed and added again on both ends) is newer still.
        time.sleep(1.5)
        self.server.wg("set", self.server.name, "peer", self.peer.public_key, "remove")
        self.peer.wg("set", self.peer.name, "peer", self.server.public_key, "remove")
        wg_sessions = lambda p: next(s["sessions"] for s in p["sources"] if s["name"] == "wg")
        panel.wait_for_payload(lambda p: wg_sessions(p) == 0, 10, after=panel.count())
        mark = panel.count()
        self.connect_peer()
        handshake = int(self.server.dump()[self.peer.public_key]["latest_handshake"])
        second = panel.wait_for_payload(lambda p: users_by_name(p).get("carol", {}).get("proto") == "wg", 10,
                                        after=mark)
        self.assertEqual(users_by_name(second)["carol"]["connected_at"], handshake)
        self.assertEqual([u["username"] for u in second["users"]].count("carol"), 1)
        client.stop()


if __name__ == "__main__":
    unittest.main()

"""Live bandwidth with real traffic: an OpenVPN server and a client with real tun devices, each
in a network namespace of the test's own, linked by a veth pair; the client sends a known byte
rate through the tunnel and the panel's rx_bps for that user must match it."""
import statistics
import sys
import time
import unittest

from tests.lib.harness import Aggregator, NetNamespace, new_client, OpenVPNServer, own_setting, users_by_name

PAYLOAD = 1000           # bytes of UDP payload per packet
PACKETS_PER_SECOND = 200
SECONDS = 8
# On the wire OpenVPN counts each packet as the inner IPv4+UDP packet (28 + 1000) plus its
# data-channel overhead with an AEAD cipher (opcode and peer id 4, packet id 4, tag 16).
EXPECTED_RX_BPS = (PAYLOAD + 28 + 24) * PACKETS_PER_SECOND
TOLERANCE = 0.15

# Sends to the server's end of the tunnel (the server's pool address ending in .1).
SENDER = """
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
data = b"x" * {payload}
start = time.monotonic()
for i in range({packets}):
    target = start + i / {per_second}
    delay = target - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    s.sendto(data, ("{server_address}", 9))
"""


class Rates(unittest.TestCase):
    def test_rx_rate_matches_traffic_pushed_through_a_real_tunnel(self):
        own_setting(self, self.addCleanup, prefix="omp-rates-", servers=True)
        procs, work, pki, panel, sock = self.procs, self.work, self.pki, self.panel, self.socket
        server_ns, client_ns = NetNamespace("omp-rate-s"), NetNamespace("omp-rate-c")
        self.addCleanup(server_ns.remove)
        self.addCleanup(client_ns.remove)
        server_ns.link_to(client_ns, "10.201.0.1", "10.201.0.2")
        server = OpenVPNServer(procs, work, pki, "udp", "udp", event_socket=sock,
                               netns=server_ns.name, listen="10.201.0.1", with_auth=False).start()
        Aggregator(procs, work, ["--mgmt", f"udp={server.mgmt_address}", "--url", panel.url(),
                                 "--interval", "0.5", "--event-socket", sock]).start(sock)
        new_client(self, server, "sender", netns=client_ns.name).start()
        panel.wait_for_payload(lambda p: "sender" in users_by_name(p), 10)
        sender = SENDER.format(payload=PAYLOAD, packets=PACKETS_PER_SECOND * SECONDS,
                               per_second=PACKETS_PER_SECOND,
                               server_address=f"10.{server.subnet_octet}.0.1")

        mark = panel.count()
        t0 = time.time()
        client_ns.run([sys.executable, "-c", sender], check=True, timeout=SECONDS + 10)
        t1 = time.time()
        # Posts well inside the sending window: each rate spans one 0.5 s interval.
        inside = [r for r in panel.requests[mark:] if t0 + 1.5 < r["arrived"] < t1 - 0.5]
        import json
        rates = [users_by_name(json.loads(r["body"]))["sender"]["rx_bps"] for r in inside]
        self.assertGreaterEqual(len(rates), 5, rates)
        median = statistics.median(rates)
        print(f"\nrx_bps median {median:.0f} over {len(rates)} posts; expected {EXPECTED_RX_BPS} +-{TOLERANCE:.0%}")
        self.assertAlmostEqual(median, EXPECTED_RX_BPS, delta=EXPECTED_RX_BPS * TOLERANCE)

        # After the traffic stops, the rate falls back to (near) zero: keepalives only.
        time.sleep(1.5)
        last = json.loads(panel.requests[-1]["body"])
        self.assertLess(users_by_name(last)["sender"]["rx_bps"], 2000)


if __name__ == "__main__":
    unittest.main()

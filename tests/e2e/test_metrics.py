"""Prometheus metrics (--metrics-listen), with real OpenVPN servers (UDP and TCP, the plugin loaded),
real clients, and the real Prometheus server and promtool from Debian: the daemon is the one reader
of the management interface, and a scrape never queries it."""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from tests.lib.harness import (Aggregator, free_port, new_client, OwnPanel, Processes, TwoServers,
                               users_by_name, wait_until)

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def get(url, auth=None, timeout=5):
    """(status, body) of a GET."""
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as failed:
        return failed.code, failed.read().decode()


def samples(text, name):
    """{labels text: value} of the samples of `name` in a text exposition."""
    found = {}
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(\{{.*\}})? (\S+)", line)
        if match:
            found[match.group(1) or ""] = float(match.group(2))
    return found


class MetricsBesideRealOpenVPN(TwoServers):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.metrics_port = free_port()
        cls.metrics_url = f"http://127.0.0.1:{cls.metrics_port}/metrics"
        cls.daemon = Aggregator(cls.procs, cls.work, [
            "--mgmt", f"udp={cls.udp.mgmt_address}", "--mgmt", f"tcp={cls.tcp.mgmt_address}",
            "--url", cls.panel.url(), "--interval", "2", "--event-socket", cls.socket,
            "--metrics-listen", f"127.0.0.1:{cls.metrics_port}"]).start(cls.socket)
        cls.clients = []
        for i, server in enumerate((cls.udp, cls.tcp, cls.udp)):
            client = new_client(cls, server, "metrics", username=f"metric-{i}")
            cls.clients.append(client.start())
        names = {f"metric-{i}" for i in range(3)}
        cls.panel.wait_for_payload(lambda p: names <= set(users_by_name(p)), 20, what="the three clients")

    def scrape(self):
        status, body = get(self.metrics_url)
        self.assertEqual(status, 200, body)
        return body

    def test_promtool_finds_nothing_to_report_in_the_output(self):
        body = self.scrape()
        checked = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True, text=True)
        self.assertEqual((checked.returncode, checked.stdout + checked.stderr), (0, ""))

    def test_the_series_follow_the_real_servers(self):
        body = self.scrape()
        self.assertEqual(samples(body, "ovpn_mgmt_push_users")[""], 3)
        self.assertEqual(samples(body, "ovpn_mgmt_push_source_up"),
                         {'{source="udp",kind="openvpn"}': 1, '{source="tcp",kind="openvpn"}': 1})
        self.assertEqual(samples(body, "ovpn_mgmt_push_source_sessions"),
                         {'{source="udp",kind="openvpn"}': 2, '{source="tcp",kind="openvpn"}': 1})
        received = samples(body, "ovpn_mgmt_push_session_received_bytes_total")
        self.assertEqual(len(received), 3)
        for labels in received:
            pools = f"({self.udp.subnet_octet}|{self.tcp.subnet_octet})"
            self.assertRegex(labels, r'^\{source="(udp|tcp)",username="metric-\d",common_name="metrics",'
                                     rf'virtual_ip="10\.{pools}\.0\.\d+"\}}$')
        self.assertTrue(all(v > 0 for v in received.values()))
        self.assertGreater(samples(body, "ovpn_mgmt_push_panel_posts_total")['{result="ok"}'], 0)
        self.assertGreaterEqual(samples(body, "ovpn_mgmt_push_event_datagrams_total")['{result="accepted"}'], 3)
        since = samples(body, "ovpn_mgmt_push_session_connected_since_seconds")
        self.assertTrue(all(abs(v - time.time()) < 600 for v in since.values()))

    def test_a_scrape_asks_openvpn_nothing(self):
        before = self.udp.read_log().count("MANAGEMENT: Client connected")
        for _ in range(20):
            self.scrape()
        # The daemon's own polls go on (one every 2 s); twenty scrapes add none.
        after = self.udp.read_log().count("MANAGEMENT: Client connected")
        self.assertLessEqual(after - before, 2)

    def test_prometheus_scrapes_it_and_counts_the_real_clients(self):
        prom_port = free_port()
        config = self.work.join("prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n"
                    "scrape_configs:\n  - job_name: ovpn-mgmt-push\n"
                    f"    static_configs:\n      - targets: ['127.0.0.1:{self.metrics_port}']\n")
        prom = self.procs.start([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={self.work.join('tsdb')}",
                                 f"--web.listen-address=127.0.0.1:{prom_port}"],
                                log_path=self.work.join("prometheus.log"))
        self.addCleanup(Processes.stop, prom)

        def users():
            try:
                status, body = get(f"http://127.0.0.1:{prom_port}/api/v1/query?query=ovpn_mgmt_push_users")
            except OSError:
                return None
            result = json.loads(body)["data"]["result"] if status == 200 else []
            return int(float(result[0]["value"][1])) if result else None

        seen = wait_until(lambda: users() is not None and users(), 60, interval=0.5,
                          what="Prometheus's first scrape of ovpn_mgmt_push_users")
        self.assertEqual(seen, len(self.clients))
        status, body = get(f"http://127.0.0.1:{prom_port}/api/v1/targets")
        health = [t["health"] for t in json.loads(body)["data"]["activeTargets"]]
        self.assertEqual(health, ["up"])

    def test_a_stalled_scraper_delays_no_event_post(self):
        stalled = []
        for i in range(5):
            s = socket.create_connection(("127.0.0.1", self.metrics_port))
            self.addCleanup(s.close)
            if i % 2:
                s.sendall(b"GET /metr")  # half a request, never finished
            stalled.append(s)
        mark = self.panel.count()
        client = new_client(self, self.tcp, "metrics", username="late-metric")
        self.addCleanup(client.stop)
        client.start(wait=False)
        client.wait_connected()
        connected = time.time()
        self.panel.wait_for_payload(lambda p: p["trigger"] == "event" and "late-metric" in users_by_name(p),
                                    5, after=mark, what="the event POST listing late-metric")
        arrived = next(r["arrived"] for r in self.panel.requests[mark:] if b'"late-metric"' in r["body"])
        print(f"\nevent POST {(arrived - connected) * 1000:+.0f} ms from the client's connect, "
              "5 scrapers stalled")
        self.assertLess(arrived, connected + 1.0)
        started = time.monotonic()
        self.scrape()  # and a scraper that does speak is served beside them
        self.assertLess(time.monotonic() - started, 1.0)


class MetricsSettings(OwnPanel):
    def test_an_address_off_loopback_without_credentials_is_refused_at_start(self):
        err = self.refused_at_start("--metrics-listen", "0.0.0.0:9469")
        self.assertIn("`0.0.0.0:9469'", err)
        self.assertIn("METRICS_AUTH_FILE", err)

    def test_credentials_are_asked_and_sessions_can_be_left_out(self):
        auth = self.work.join("metrics.auth")
        with open(os.open(auth, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("prometheus:s3cret\n")
        port = free_port()
        sock = self.work.join("events.sock")
        Aggregator(self.procs, self.work, [
            "--mgmt", "udp=127.0.0.1:1", "--url", self.panel.url(), "--event-socket", sock,
            "--metrics-listen", f"127.0.0.1:{port}", "--metrics-auth-file", auth,
            "--metrics-no-sessions"]).start(sock)
        url = f"http://127.0.0.1:{port}/metrics"
        self.assertEqual(get(url)[0], 401)
        self.assertEqual(get(url, auth="prometheus:wrong")[0], 401)
        status, body = get(url, auth="prometheus:s3cret")
        self.assertEqual(status, 200)
        self.assertIn("ovpn_mgmt_push_panel_posts_total", body)
        self.assertNotIn("ovpn_mgmt_push_session_received_bytes_total", body)
        self.assertEqual(get(f"http://127.0.0.1:{port}/", auth="prometheus:s3cret")[0], 404)


if __name__ == "__main__":
    unittest.main()

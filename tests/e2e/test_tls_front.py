"""The panel behind a real TLS front, as production panels sit: Debian's nginx terminating TLS
(HTTP/2 and HTTP/1.1 keep-alive) in front of the stand-in panel, two real OpenVPN servers
loading the real plugin, real clients. nginx's access log says on which connection each POST
came and whether its TLS session was resumed; the stand-in panel says how each body was
encoded and what it answered."""
import ctypes
import gzip
import re
import signal
import time
import unittest

from tests.lib.harness import Aggregator, make_tls_cert, PanelStandIn, TwoServers, users_by_name, wait_until
from tests.lib.tls_front import NginxFront, connections


def libcurl_version():
    """The version of the libcurl the daemon loads (libcurl.so.4), as a tuple."""
    curl = ctypes.CDLL("libcurl.so.4")
    curl.curl_version.restype = ctypes.c_char_p
    text = curl.curl_version().decode()
    return tuple(int(n) for n in re.match(r"libcurl/(\d+)\.(\d+)\.(\d+)", text).groups())


# The daemon offers HTTP/2 only where libcurl keeps the TLS session of an HTTP/2 connection
# (pusher/panel/http_sender.cpp says what was measured); before, HTTP/1.1 keep-alive.
PROTOCOL_OVER_HTTP2_FRONT = "HTTP/2.0" if libcurl_version() >= (8, 14, 1) else "HTTP/1.1"


def has_event(payload, kind, username):
    return any(e["event"] == kind and e["username"] == username for e in payload.get("events", []))


class BehindNginx(TwoServers):
    """The two real OpenVPN servers for the class; for each test a stand-in panel of its own, and
    the fronts and daemons it starts (each stopped by pid when the test ends, passed or not)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cert, cls.key = make_tls_cert(cls.work.join())
        cls.fronts = 0

    def setUp(self):
        self.panel = PanelStandIn()
        self.addCleanup(self.panel.close)

    def front(self, **options):
        type(self).fronts += 1
        front = NginxFront(self.procs, self.work, self.panel.port, self.cert, self.key,
                           name=f"nginx-{self.fronts}", **options).start()
        self.addCleanup(front.stop)
        return front

    def daemon(self, front, *args, interval="2", event_socket=None):
        sock = event_socket or self.socket
        d = Aggregator(self.procs, self.work, [
            "--mgmt", f"udp={self.udp.mgmt_address}", "--mgmt", f"tcp={self.tcp.mgmt_address}",
            "--url", front.url(), "--ca-file", self.cert, "--interval", interval,
            "--event-socket", sock, "--event-user", "nobody", *args])
        d.log = self.work.join(f"daemon-{self.id().rsplit('.', 1)[-1]}-{sock.rsplit('/', 1)[-1]}.log")
        d.start(sock)
        self.addCleanup(d.stop)
        return d

    def assert_no_failed_post(self, daemon):
        log = daemon.read_log()
        for failure in ("panel unreachable", "panel answered"):
            self.assertNotIn(failure, log)


class OneConnectionPerDaemon(BehindNginx):

    def test_a_thousand_posts_take_one_tls_handshake_behind_http2_and_http1_fronts(self):
        h2 = self.front(http2=True)
        h1 = self.front(http2=False)
        # Both daemons at once, at the shortest interval, each to its own front; the second
        # listens on an event socket of its own (no plugin sends there: timer POSTs only).
        daemons = [self.daemon(h2, interval="0.1"),
                   self.daemon(h1, interval="0.1", event_socket=self.work.join("run", "events-2.sock"))]
        wait_until(lambda: len(h2.requests()) >= 1000 and len(h1.requests()) >= 1000, 300,
                   interval=1, what="1000 POSTs through each front")
        for front, protocol in ((h2, PROTOCOL_OVER_HTTP2_FRONT), (h1, "HTTP/1.1")):
            first = front.requests()[:1000]
            self.assertEqual(len(connections(first)), 1, connections(first)[:5])
            self.assertEqual([int(r["connection_requests"]) for r in first], list(range(1, 1001)))
            self.assertEqual({r["ssl_protocol"] for r in first}, {"TLSv1.3"})
            self.assertEqual({r["server_protocol"] for r in first}, {protocol})
            self.assertEqual({r["status"] for r in first}, {"200"})
        for d in daemons:
            self.assert_no_failed_post(d)

    def test_after_an_idle_close_the_next_post_reconnects_at_once_and_resumes_the_session(self):
        front = self.front(keepalive_timeout="1s")  # shorter than the 2 s cadence
        d = self.daemon(front)
        wait_until(lambda: len(connections(front.requests())) >= 4, 20, what="four connections")
        c = self.client(self.tcp, "idle-close", stop_at_end=True)
        self.panel.wait_for_payload(lambda p: has_event(p, "connect", "idle-close"), 10)
        c.stop()
        self.panel.wait_for_record("idle-close")
        seen = connections(front.requests())
        self.assertFalse(seen[0][1], "the first connection makes a full handshake")
        self.assertEqual([resumed for _, resumed in seen[1:]], [True] * (len(seen) - 1), seen)
        # At once: no POST failed (checked below) and the cadence held, no retry waits between.
        arrived = [r["arrived"] for r in self.panel.requests]
        gaps = [b - a for a, b in zip(arrived, arrived[1:])]
        self.assertLess(max(gaps), 3.0, gaps)
        self.assert_no_failed_post(d)
        records = [r for p in self.panel.accepted() for r in p.get("sessions_ended", [])
                   if r["common_name"] == "idle-close"]
        self.assertEqual(len(records), 1)

    def test_after_an_nginx_reload_the_next_post_resumes_the_session_and_nothing_is_lost(self):
        front = self.front()
        d = self.daemon(front)
        wait_until(lambda: len(front.requests()) >= 2, 10, what="two POSTs")
        c = self.client(self.udp, "reload", stop_at_end=True)
        self.panel.wait_for_payload(lambda p: has_event(p, "connect", "reload"), 10)
        front.reload()
        mark = len(front.requests())
        wait_until(lambda: len(front.requests()) >= mark + 3, 15, what="three POSTs after the reload")
        seen = connections(front.requests())
        self.assertEqual(len(seen), 2, seen)
        self.assertTrue(seen[1][1], "the connection after the reload resumes the TLS session")
        payload = self.panel.payloads()[-1]
        self.assertIn("reload", users_by_name(payload))
        c.stop()
        self.panel.wait_for_record("reload", timeout=20)
        self.assert_no_failed_post(d)

    def test_a_connection_that_dies_mid_post_keeps_the_record_for_the_next(self):
        front = self.front()
        d = self.daemon(front, "--panel-timeout", "10")
        c = self.client(self.tcp, "dies-mid-post", stop_at_end=True)
        self.panel.wait_for_payload(lambda p: has_event(p, "connect", "dies-mid-post"), 10)
        self.panel.set(delay=3)  # the panel is slow: the next POST is still in flight ...
        c.stop()
        time.sleep(1)
        front.proc.send_signal(signal.SIGTERM)  # ... when nginx stops at once, closing it
        front.proc.wait(10)
        self.panel.set(delay=0)
        wait_until(lambda: "panel unreachable" in d.read_log(), 10, what="the failed POST in the log")
        self.front(port=front.port)  # nginx again, where the daemon posts
        record = self.panel.wait_for_record("dies-mid-post", timeout=20)
        self.assertEqual(record["common_name"], "dies-mid-post")


class GzipBodies(BehindNginx):
    """`--panel-gzip` through the same front: nginx passes the encoded body on untouched."""

    def test_on_sends_gzip_bodies_that_the_panel_decodes_to_the_same_payload(self):
        front = self.front()
        d = self.daemon(front, "--panel-gzip", "on")
        c = self.client(self.udp, "gzip-on", stop_at_end=True)
        payload = self.panel.wait_for_payload(lambda p: "gzip-on" in users_by_name(p), 10)
        self.assertEqual(payload["users"][0].keys() >= {"username", "virtual_ip", "proto"}, True)
        answered = self.panel.answered()
        self.assertEqual({encoding for _, encoding, _ in answered}, {"gzip"})
        body = self.panel.requests[-1]["body"]
        self.assertLess(self.panel.requests[-1]["wire_length"], len(body))
        c.stop()
        self.assert_no_failed_post(d)

    def test_auto_falls_back_to_plain_json_at_once_on_415_and_loses_nothing(self):
        self.panel.refuse_gzip = True
        front = self.front()
        d = self.daemon(front, "--panel-gzip", "auto")
        c = self.client(self.tcp, "gzip-auto", stop_at_end=True)
        payload = self.panel.wait_for_payload(lambda p: has_event(p, "connect", "gzip-auto"), 10)
        answered = self.panel.answered()
        self.assertEqual(answered[0][:2], (415, "gzip"))
        self.assertEqual({a[:2] for a in answered[1:]}, {(200, "identity")})
        # The refused POST went again, plain, at once: the same payload.
        first, second = self.panel.requests[0], self.panel.requests[1]
        self.assertLess(second["arrived"] - first["arrived"], 0.5)
        self.assertEqual(gzip.decompress(first["wire"]), second["body"])
        c.stop()
        self.panel.wait_for_record("gzip-auto", timeout=20)
        log = d.read_log()
        self.assertEqual(log.count("HTTP 415"), 1, log)
        self.assertIn("posting plain JSON from now on", log)
        self.assertIn("gzip-auto", users_by_name(payload))

    def test_on_never_falls_back_and_keeps_the_records_while_the_panel_refuses(self):
        self.panel.refuse_gzip = True
        front = self.front()
        d = self.daemon(front, "--panel-gzip", "on")
        c = self.client(self.tcp, "gzip-refused", stop_at_end=True)
        wait_until(lambda: self.panel.count() >= 2, 10, what="two POSTs")
        c.stop()
        wait_until(lambda: "panel answered HTTP 415" in d.read_log(), 10, what="the 415 logged")
        time.sleep(3)
        self.assertEqual({a[:2] for a in self.panel.answered()}, {(415, "gzip")})
        self.panel.refuse_gzip = False  # the panel learns gzip: the kept record arrives
        self.panel.wait_for_record("gzip-refused", timeout=20)


if __name__ == "__main__":
    unittest.main()

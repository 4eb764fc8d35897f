"""`ovpn-mgmt-push run` end to end: two real OpenVPN servers load the real plugin through the
CONTRACT.md directive (the UDP one drops privileges to nobody/nogroup), real clients connect
and leave, and a real HTTP server stands in for the panel."""
import os
import signal
import stat
import time
import unittest
import pwd

from tests.lib.harness import (Aggregator, new_client, OpenVPNServer, own_setting, start_two_servers,
                               TwoServers, users_by_name, wait_until)

# Long enough that every POST a test waits for was triggered by an event, not the timer.
EVENT_TEST_INTERVAL = "60"


def has_event(payload, kind, username):
    return any(e["event"] == kind and e["username"] == username for e in payload.get("events", []))


class DaemonAgainstRealServers(TwoServers):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.daemon = cls.new_daemon(cls.socket, EVENT_TEST_INTERVAL).start(cls.socket)

    @classmethod
    def new_daemon(cls, event_socket, interval, panel=None):
        panel = panel or cls.panel
        return Aggregator(cls.procs, cls.work, [
            "--mgmt", f"udp={cls.udp.mgmt_address}", "--mgmt", f"tcp={cls.tcp.mgmt_address}",
            "--url", panel.url(), "--interval", interval, "--event-socket", event_socket,
            "--event-user", "nobody"])

    def test_connect_posts_a_payload_listing_the_user(self):
        mark = self.panel.count()
        self.client(self.udp, "conn-udp")
        payload = self.panel.wait_for_payload(lambda p: has_event(p, "connect", "conn-udp"), 10, after=mark)
        self.assertEqual(payload["trigger"], "event")
        user = users_by_name(payload)["conn-udp"]
        self.assertEqual(user["proto"], "udp")
        self.assertTrue(user["virtual_ip"].startswith(f"10.{self.udp.subnet_octet}.0."))

    def test_plugin_keeps_sending_after_openvpn_drops_privileges(self):
        self.assertIn("UID set to nobody", self.udp.read_log())
        mark = self.panel.count()
        self.client(self.udp, "after-drop")
        self.panel.wait_for_payload(lambda p: has_event(p, "connect", "after-drop"), 10, after=mark)
        self.assertNotIn("cannot send event", self.udp.read_log())

    def test_tcp_disconnect_posts_a_payload_without_the_user(self):
        c = self.client(self.tcp, "leaves-tcp")
        self.panel.wait_for_payload(lambda p: "leaves-tcp" in users_by_name(p), 10)
        mark = self.panel.count()
        c.stop()
        payload = self.panel.wait_for_payload(lambda p: has_event(p, "disconnect", "leaves-tcp"), 10, after=mark)
        self.assertNotIn("leaves-tcp", users_by_name(payload))

    def test_udp_disconnect_posts_a_payload_without_the_user(self):
        c = self.client(self.udp, "leaves-udp")
        self.panel.wait_for_payload(lambda p: "leaves-udp" in users_by_name(p), 10)
        mark = self.panel.count()
        c.stop()  # explicit-exit-notify; OpenVPN ends the session 5 s later
        payload = self.panel.wait_for_payload(lambda p: has_event(p, "disconnect", "leaves-udp"), 20, after=mark)
        self.assertNotIn("leaves-udp", users_by_name(payload))

    def test_same_username_on_udp_and_tcp_is_one_entry(self):
        self.client(self.udp, "both", username="both")
        time.sleep(1.1)  # connected-since has one-second resolution
        mark = self.panel.count()
        self.client(self.tcp, "both", username="both")
        payload = self.panel.wait_for_payload(
            lambda p: has_event(p, "connect", "both") and users_by_name(p).get("both", {}).get("proto") == "tcp",
            10, after=mark)
        self.assertEqual([u["username"] for u in payload["users"]].count("both"), 1)

    def test_event_socket_is_for_root_and_the_openvpn_user_only(self):
        st = os.stat(self.socket)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(st.st_uid, pwd.getpwnam("nobody").pw_uid)


class DaemonLifecycle(unittest.TestCase):
    """Each test here owns its servers and daemon."""

    def setUp(self):
        own_setting(self, self.addCleanup, servers=True)

    def servers(self):
        start_two_servers(self)

    def daemon(self, interval=EVENT_TEST_INTERVAL):
        return Aggregator(self.procs, self.work, [
            "--mgmt", f"udp={self.udp.mgmt_address}", "--mgmt", f"tcp={self.tcp.mgmt_address}",
            "--url", self.panel.url(), "--interval", interval, "--event-socket", self.socket,
            "--event-user", "nobody"])

    def test_clients_connect_while_the_daemon_is_down_and_the_restart_posts_them(self):
        self.servers()
        d = self.daemon().start(self.socket)
        self.panel.wait_for_payload(lambda p: p["trigger"] == "startup", 10)
        d.stop()
        t0 = time.monotonic()
        new_client(self, self.udp, "while-down").start()
        new_client(self, self.tcp, "while-down-tcp").start()
        self.assertLess(time.monotonic() - t0, 15)
        self.assertIn("cannot send event", self.udp.read_log())
        mark = self.panel.count()
        self.daemon().start(self.socket)
        payload = self.panel.wait_for_payload(lambda p: p["trigger"] == "startup", 10, after=mark)
        self.assertEqual(sorted(users_by_name(payload)), ["while-down", "while-down-tcp"])
        # and events flow again to the restarted daemon
        mark = self.panel.count()
        new_client(self, self.udp, "after-restart").start()
        self.panel.wait_for_payload(lambda p: has_event(p, "connect", "after-restart"), 10, after=mark)

    def test_a_daemon_restarted_between_two_events_gets_the_second(self):
        # The plugin keeps its socket connected to the daemon's; a restart replaces that socket,
        # and the next event must reconnect by path (as `nobody` on the UDP server), not be lost.
        self.servers()
        d = self.daemon().start(self.socket)
        self.panel.wait_for_payload(lambda p: p["trigger"] == "startup", 10)
        for server, name in ((self.udp, "before-restart"), (self.tcp, "before-restart-tcp")):
            new_client(self, server, name).start()
            self.panel.wait_for_payload(lambda p, name=name: has_event(p, "connect", name), 10)
        d.stop()
        mark = self.panel.count()
        self.daemon().start(self.socket)
        self.panel.wait_for_payload(lambda p: p["trigger"] == "startup", 10, after=mark)
        for server, name in ((self.udp, "after-restart"), (self.tcp, "after-restart-tcp")):
            new_client(self, server, name).start()
            self.panel.wait_for_payload(lambda p, name=name: has_event(p, "connect", name), 10,
                                        after=mark)
        for server in (self.udp, self.tcp):
            self.assertNotIn("cannot send event", server.read_log())

    def test_posts_stay_on_the_interval_grid(self):
        self.servers()
        d = self.daemon(interval="0.5").start(self.socket)
        wait_until(lambda: self.panel.count() >= 9, 15, what="nine posts")
        d.stop()
        times = [r["arrived"] for r in self.panel.requests[1:9]]  # skip the startup post
        for k, t in enumerate(times):
            # Each post lands near its grid point: no drift accumulates.
            self.assertAlmostEqual(t - times[0], k * 0.5, delta=0.15)

    def test_sigterm_stops_the_daemon_within_a_second(self):
        self.servers()
        d = self.daemon().start(self.socket)
        self.panel.wait_for_payload(lambda p: p["trigger"] == "startup", 10)
        t0 = time.monotonic()
        os.kill(d.proc.pid, signal.SIGTERM)
        status = d.proc.wait(5)
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertEqual(status, 0)
        self.assertFalse(os.path.exists(self.socket))

    def test_sigint_stops_the_daemon_too(self):
        self.servers()
        d = self.daemon().start(self.socket)
        os.kill(d.proc.pid, signal.SIGINT)
        self.assertEqual(d.proc.wait(5), 0)

    def test_a_second_daemon_does_not_steal_a_live_event_socket(self):
        self.servers()
        self.daemon().start(self.socket)
        second = self.daemon()
        second.log = self.work.join("second.log")
        second.start()
        self.assertEqual(second.proc.wait(5), 1)
        self.assertIn("in use", second.read_log())

    def test_a_killed_daemons_socket_is_reclaimed_by_a_root_without_dac_override_as_the_unit_runs_it(self):
        # The unit keeps only CAP_CHOWN: root may then not connect to the event user's 0600
        # socket to see whether it is alive, so the kernel's list of bound sockets decides.
        self.servers()
        first = self.daemon().start(self.socket)
        live = self.daemon()
        live.wrap = lambda argv: ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *argv]
        live.log = self.work.join("without-dac-live.log")
        live.start()
        self.assertEqual(live.proc.wait(5), 1)
        self.assertIn("is in use by another running process", live.read_log())
        first.stop(signal.SIGKILL)
        again = self.daemon()
        again.wrap = live.wrap
        again.log = self.work.join("without-dac-again.log")
        again.start()
        # The path exists all along: wait for the daemon to say it listens, not for the file.
        wait_until(lambda: "listening on" in again.read_log() or again.proc.poll() is not None, 10,
                   what="the event socket bound again")
        self.assertIsNone(again.proc.poll(), again.read_log())
        mark = self.panel.count()
        new_client(self, self.tcp, "after-reclaim").start()
        self.panel.wait_for_payload(lambda p: has_event(p, "connect", "after-reclaim"), 10, after=mark)

    def test_unknown_plugin_argument_stops_openvpn_at_startup_with_a_clear_message(self):
        bad = OpenVPNServer(self.procs, self.work, self.pki, "bad", "udp", event_socket=self.socket,
                            plugin_args="instance=udp sockett=/x")
        bad.start(wait=False)
        bad.proc.wait(15)
        self.assertNotEqual(bad.proc.returncode, 0)
        self.assertIn("mgmt-push: unknown argument `sockett=/x'", bad.read_log())


if __name__ == "__main__":
    unittest.main()

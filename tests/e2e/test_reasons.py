"""Why sessions ended, read from real OpenVPN's own logs (--ovpn-log) and attached to each
session record: each reason that can be caused here is caused for real. (tls-error is not:
it needs a handshake that fails after a session was up; tests/unit/test_disconnect_reasons.cpp covers
its log line.)"""
import time
import unittest

from tests.lib.harness import (Aggregator, new_client, OpenVPNServer, own_setting, Processes, RealClients,
                               wait_until)


class DisconnectReasons(RealClients):
    @classmethod
    def setUpClass(cls):
        own_setting(cls, cls.addClassCleanup, prefix="omp-reasons-", servers=True)
        # Short pings so a client that vanishes times out within seconds; no duplicate-cn on
        # UDP, so a second login replaces the first.
        cls.udp = OpenVPNServer(cls.procs, cls.work, cls.pki, "udp", "udp", event_socket=cls.socket,
                                with_auth=False, extra="keepalive 1 4\n")
        with open(cls.udp.conf) as f:
            conf = f.read().replace("duplicate-cn\n", "")
        with open(cls.udp.conf, "w") as f:
            f.write(conf)
        cls.udp.start()
        cls.tcp = OpenVPNServer(cls.procs, cls.work, cls.pki, "tcp", "tcp", event_socket=cls.socket,
                                with_auth=False).start()
        cls.daemon = Aggregator(cls.procs, cls.work, [
            "--mgmt", f"udp={cls.udp.mgmt_address}", "--mgmt", f"tcp={cls.tcp.mgmt_address}",
            "--ovpn-log", f"udp={cls.udp.log}", "--ovpn-log", f"tcp={cls.tcp.log}",
            "--url", cls.panel.url(), "--interval", "0.5", "--event-socket", cls.socket]).start(cls.socket)

    def test_client_exit_with_explicit_exit_notify(self):
        self.client(self.udp, "leaves-politely").stop()
        self.assertEqual(self.record_of("leaves-politely")["reason"], "client-exit")

    def test_ping_timeout_of_a_client_killed_hard(self):
        self.client(self.udp, "vanishes").kill_hard()
        self.assertEqual(self.record_of("vanishes")["reason"], "ping-timeout")

    def test_kill_over_the_management_interface(self):
        self.client(self.tcp, "kicked-out")
        self.assertIn("1 client(s) killed", " ".join(self.tcp.management("kill kicked-out")))
        self.assertEqual(self.record_of("kicked-out")["reason"], "kicked")

    def test_duplicate_login_replaces_the_first_session(self):
        first = self.client(self.udp, "twice")
        time.sleep(1)
        self.client(self.udp, "twice")
        record = self.record_of("twice")
        self.assertEqual(record["reason"], "replaced")
        self.assertIsNotNone(first.proc)

    def test_tcp_reset_of_a_client_killed_hard(self):
        self.client(self.tcp, "reset-tcp").kill_hard()
        self.assertEqual(self.record_of("reset-tcp")["reason"], "connection-reset")

def one_tcp_server(test, name, read_log):
    """A TCP server, the daemon (reading that server's log when `read_log`) and a panel, all
    stopped when `test` ends."""
    own_setting(test, test.addCleanup, prefix=f"omp-reasons-{name}-", servers=True)
    tcp = OpenVPNServer(test.procs, test.work, test.pki, "tcp", "tcp", event_socket=test.socket,
                        with_auth=False).start()
    log = ["--ovpn-log", f"tcp={tcp.log}"] if read_log else []
    Aggregator(test.procs, test.work, ["--mgmt", f"tcp={tcp.mgmt_address}", *log, "--url", test.panel.url(),
                                       "--interval", "0.5", "--event-socket", test.socket]).start(test.socket)
    return tcp


class ServerShutdown(unittest.TestCase):
    """Its own server: a shutdown must not take the servers of the other cases with it."""

    def test_a_session_ended_by_its_servers_shutdown_says_server_shutdown(self):
        tcp = one_tcp_server(self, "shutdown", read_log=True)
        new_client(self, tcp, "at-shutdown").start()
        time.sleep(0.5)
        Processes.stop(tcp.proc)
        self.assertEqual(self.panel.wait_for_record("at-shutdown", 20)["reason"], "server-shutdown")


class NoLogNoGuess(unittest.TestCase):
    def test_without_a_log_the_reason_is_unknown(self):
        tcp = one_tcp_server(self, "none", read_log=False)
        new_client(self, tcp, "no-log").start().kill_hard()
        record = wait_until(lambda: next((r for p in self.panel.accepted() for r in p["sessions_ended"]), None), 10,
                            what="the record")
        self.assertEqual(record["reason"], "unknown")


if __name__ == "__main__":
    unittest.main()

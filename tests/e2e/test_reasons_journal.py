"""Why sessions ended, read from the systemd journal (--ovpn-log NAME=journal:UNIT), as for an
OpenVPN that systemd runs and whose stdout goes to the journal. A real systemd-journald of the
test's own (in a private mount namespace), a real OpenVPN logging to it as the unit
openvpn-server@tcp.service, the real daemon reading it through sd-journal."""
import unittest

from tests.lib.harness import Aggregator, OpenVPNServer, PrivateJournal, RealClients, own_setting


class DisconnectReasonsFromTheJournal(RealClients):
    @classmethod
    def setUpClass(cls):
        own_setting(cls, cls.addClassCleanup, prefix="omp-journal-", servers=True)
        cls.journal = PrivateJournal(cls.procs, cls.work)
        cls.addClassCleanup(cls.journal.remove)
        cls.addClassCleanup(cls.procs.stop_all)  # runs first: the journal goes once they stopped
        cls.tcp = OpenVPNServer(cls.procs, cls.work, cls.pki, "tcp", "tcp", event_socket=cls.socket,
                                with_auth=False, journal=cls.journal).start()
        # A second unit whose lines must not count for the first.
        cls.other = OpenVPNServer(cls.procs, cls.work, cls.pki, "other", "tcp", event_socket=cls.socket,
                                  with_auth=False, journal=cls.journal).start()
        cls.daemon = Aggregator(cls.procs, cls.work, [
            "--mgmt", f"tcp={cls.tcp.mgmt_address}", "--mgmt", f"other={cls.other.mgmt_address}",
            "--ovpn-log", "tcp=journal:openvpn-server@tcp", "--url", cls.panel.url(), "--interval", "0.5",
            "--event-socket", cls.socket], wrap=cls.journal.wrap).start(cls.socket)

    def test_the_servers_lines_are_in_the_journal_under_its_unit(self):
        self.assertIn("Initialization Sequence Completed", self.journal.read("openvpn-server@tcp.service"))

    def test_kill_over_the_management_interface_is_kicked(self):
        self.client(self.tcp, "journal-kicked")
        self.assertIn("1 client(s) killed", " ".join(self.tcp.management("kill journal-kicked")))
        self.assertEqual(self.record_of("journal-kicked")["reason"], "kicked")

    def test_a_tcp_client_killed_hard_is_a_connection_reset(self):
        self.client(self.tcp, "journal-reset").kill_hard()
        self.assertEqual(self.record_of("journal-reset")["reason"], "connection-reset")

    def test_an_instance_whose_unit_is_not_followed_stays_unknown(self):
        self.client(self.other, "journal-other")
        self.other.management("kill journal-other")
        self.assertEqual(self.record_of("journal-other")["reason"], "unknown")


if __name__ == "__main__":
    unittest.main()

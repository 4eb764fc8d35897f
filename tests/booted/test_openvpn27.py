"""OpenVPN 2.7 from trixie-backports on a booted Debian 13 server, with the Debian 13 build:
real UDP and TCP clients in event POSTs, and the read-only management proxy answering from the
daemon's polls of OpenVPN 2.7 (whose management banner says Version 6 from 2.7.2 on).

Figures are printed as `figure:` lines."""
import socket
import unittest

from tests.booted import test_booted_host as booted
from tests.lib.harness import Management, users_by_name, wait_until
from tests.booted.releases import TRIXIE_OPENVPN_27

PROXY_PORT = 7605  # inside the host's own network namespace


class OpenVpn27FromBackports(booted.BootedServerCase):
    def setUp(self):
        super().setUp()
        self.release = TRIXIE_OPENVPN_27  # the Debian 13 tree, with trixie-backports' OpenVPN
        self.deb, self.newer_deb = self.release.debs()  # and the Debian 13 build, whatever OMP_SUITE says

    def test_udp_and_tcp_clients_reach_the_panel_and_the_proxy_answers_from_openvpn_27(self):
        server = self.migrated_server()
        h = server.host
        version = h.run(["openvpn", "--version"]).stdout.splitlines()[0]
        booted.figure(f"booted Debian 13 with {version.split(' [')[0]}")
        self.assertRegex(version, r"^OpenVPN 2\.7\.")

        for name, proto in (("gina", "udp"), ("hank", "tcp")):
            mark = server.panel.count()
            client = server.client(name, proto).start(wait=False)
            self.addCleanup(client.stop)
            client.wait_connected()
            payload = server.panel.wait_for_payload(lambda p: p["trigger"] == "event" and name in users_by_name(p),
                                                    5, after=mark, what=f"an event POST listing {name}")
            self.assertEqual(users_by_name(payload)[name]["proto"], proto)

        h.sh(f"printf 'MGMT_PROXY=udp=127.0.0.1:{PROXY_PORT}\\n' >> /etc/default/ovpn-mgmt-push")
        h.run(["systemctl", "restart", "ovpn-mgmt-push"])
        proxy = Management(sock=wait_until(lambda: self.connect_proxy(server), 10, what="the management proxy"),
                           timeout=10)
        self.addCleanup(proxy.close)
        greeting = proxy.greeting.decode()
        self.assertTrue(greeting.startswith(">INFO:OpenVPN Management Interface Version "), greeting)

        answer = "\n".join(proxy.ask("version"))
        self.assertIn(f"OpenVPN Version: {version}", answer)
        status = wait_until(lambda: self.status_listing(proxy, "gina"), 10, what="gina in the proxy's status 3")
        self.assertIn("HEADER\tCLIENT_LIST\tCommon Name\tReal Address", status)
        self.assertTrue(status.endswith("\nEND"))
        self.assertTrue(proxy.ask("kill gina")[0].startswith("ERROR:"))  # read-only

    @staticmethod
    def connect_proxy(server):
        try:
            return server.host.in_network(lambda: socket.create_connection(("127.0.0.1", PROXY_PORT), timeout=2))
        except AssertionError:  # not listening yet
            return None

    @staticmethod
    def status_listing(proxy, name):
        status = "\n".join(proxy.ask("status 3"))
        return status if f"CLIENT_LIST\t{name}\t" in status else None


if __name__ == "__main__":
    unittest.main()

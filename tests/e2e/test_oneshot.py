"""`snapshot` and `push` against two real OpenVPN servers (UDP with a management password,
TCP without) with real clients, and a real local HTTP server standing in for the panel."""
import json
import os
import unittest

from tests.lib.harness import (free_port, new_client, OpenVPNServer, PanelStandIn, Pki, Processes, run_binary,
                               users_by_name, Workdir)


class OneShotAgainstRealServers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.procs = Processes()
        cls.addClassCleanup(cls.procs.stop_all)
        cls.work = Workdir()
        cls.addClassCleanup(cls.work.remove)
        cls.pki = Pki(cls.work.join("pki"))
        sock = cls.work.join("events.sock")  # no daemon here: the plugin's sends just fail
        cls.udp = OpenVPNServer(cls.procs, cls.work, cls.pki, "udp", "udp", event_socket=sock,
                                mgmt_password="mgmt-secret").start()
        # No auth-user-pass on TCP: its Username column is UNDEF, so the CN names the user.
        cls.tcp = OpenVPNServer(cls.procs, cls.work, cls.pki, "tcp", "tcp", event_socket=sock,
                                with_auth=False).start()
        cls.clients = [
            new_client(cls, cls.udp, "alice", username="alice").start(),
            new_client(cls, cls.udp, "bob-cert", username="bob").start(),
            new_client(cls, cls.tcp, "carol").start(),
        ]
        # alice again, on TCP, later: the most recent session must win. Connected-since has
        # one-second resolution, so make sure the second session starts a second later.
        wait_for_next_second(cls.udp)
        cls.clients.append(new_client(cls, cls.tcp, "alice").start())

    def mgmt_args(self):
        return ["--config", "/dev/null", "--mgmt", f"udp={self.udp.mgmt_address}",
                "--mgmt", f"tcp={self.tcp.mgmt_address}",
                "--mgmt-password-file", self.udp.mgmt_password_file]

    def snapshot(self, *extra):
        status, out, err = run_binary("snapshot", *self.mgmt_args(), *extra)
        return status, (json.loads(out) if out.strip() else None), err

    def test_snapshot_lists_every_logged_in_user_once(self):
        status, payload, err = self.snapshot()
        self.assertEqual(status, 0, err)
        self.assertEqual(sorted(users_by_name(payload)), ["alice", "bob", "carol"])
        self.assertEqual(payload["clients"], len(payload["users"]))
        self.assertEqual(payload["status"], "mgmt")

    def test_same_username_on_udp_and_tcp_gives_the_most_recent_session(self):
        _, payload, _ = self.snapshot()
        alice = users_by_name(payload)["alice"]
        tcp_alice = next(r for r in self.tcp.client_rows() if r["Common Name"] == "alice")
        self.assertEqual(alice["proto"], "tcp")
        self.assertEqual(alice["virtual_ip"], tcp_alice["Virtual Address"])
        self.assertEqual(alice["connected_at"], int(tcp_alice["Connected Since (time_t)"]))

    def test_users_match_what_the_servers_report(self):
        _, payload, _ = self.snapshot()
        users = users_by_name(payload)
        for server, name_column in ((self.udp, "Username"), (self.tcp, "Common Name")):
            for row in server.client_rows():
                name = row[name_column]
                if name == "alice" and server is self.udp:
                    continue  # superseded by the later TCP session
                user = users[name]
                host, port = row["Real Address"].rsplit(":", 1)
                self.assertEqual(user["proto"], server.name)
                self.assertEqual(user["client_ip"], host)
                self.assertEqual(user["client_port"], int(port))
                self.assertEqual(user["virtual_ip"], row["Virtual Address"])
                self.assertEqual(user["common_name"], row["Common Name"])
                self.assertEqual(user["connected_at"], int(row["Connected Since (time_t)"]))
                # Counters keep moving (keepalives), so they may only have grown since.
                self.assertIsInstance(user["bytes_received"], int)
                self.assertLessEqual(user["bytes_received"], int(row["Bytes Received"]))
                self.assertGreater(user["bytes_received"], 0)

    def test_password_protected_endpoint_is_reported_ok(self):
        _, payload, _ = self.snapshot()
        sources = {s["name"]: s for s in payload["sources"]}
        self.assertTrue(sources["udp"]["ok"], sources["udp"])
        self.assertIsNone(sources["udp"]["error"])
        self.assertEqual(sources["udp"]["sessions"], 2)

    def test_wrong_management_password_is_a_named_error_for_that_endpoint(self):
        wrong = self.work.join("wrong.pw")
        with open(wrong, "w") as f:
            f.write("not-it\n")
        os.chmod(wrong, 0o600)
        status, out, err = run_binary("snapshot", "--config", "/dev/null",
                                      "--mgmt", f"udp={self.udp.mgmt_address}",
                                      "--mgmt", f"tcp={self.tcp.mgmt_address}",
                                      "--mgmt-password-file", wrong)
        payload = json.loads(out)
        sources = {s["name"]: s for s in payload["sources"]}
        self.assertFalse(sources["udp"]["ok"])
        self.assertIn("password", sources["udp"]["error"])
        self.assertIn(self.udp.mgmt_address, sources["udp"]["error"])
        self.assertEqual(status, 0)  # tcp answered
        self.assertIn("carol", users_by_name(payload))

    def test_a_down_endpoint_never_hides_the_others_users(self):
        dead = f"127.0.0.1:{free_port()}"
        status, payload, err = self.snapshot("--mgmt", f"gone={dead}")
        self.assertEqual(status, 0, err)
        sources = {s["name"]: s for s in payload["sources"]}
        self.assertFalse(sources["gone"]["ok"])
        self.assertIn(dead, sources["gone"]["error"])
        self.assertIn("refused", sources["gone"]["error"])
        self.assertEqual(sorted(users_by_name(payload)), ["alice", "bob", "carol"])

    def test_snapshot_exits_1_when_no_endpoint_answers(self):
        status, out, err = run_binary("snapshot", "--config", "/dev/null",
                                      "--mgmt", f"a=127.0.0.1:{free_port()}")
        self.assertEqual(status, 1)
        payload = json.loads(out)
        self.assertEqual(payload["clients"], 0)
        self.assertFalse(payload["sources"][0]["ok"])

    def test_push_posts_the_snapshot_body_as_json_with_the_bearer_token(self):
        panel = PanelStandIn()
        self.addCleanup(panel.close)
        token = self.work.join("token")
        with open(token, "w") as f:
            f.write("tok-123\n")
        os.chmod(token, 0o600)
        status, _, err = run_binary("push", *self.mgmt_args(), "--url", panel.url(), "--token-file", token)
        self.assertEqual(status, 0, err)
        self.assertEqual(panel.count(), 1)
        request = panel.requests[0]
        self.assertEqual(request["path"], "/api/servers/test/events")
        self.assertEqual(request["headers"]["Content-Type"], "application/json")
        self.assertEqual(request["headers"]["Authorization"], "Bearer tok-123")
        body = json.loads(request["body"])
        _, snap, _ = self.snapshot()
        self.assertEqual(sorted(body), sorted(snap))  # same keys as `snapshot` prints
        self.assertEqual(sorted(users_by_name(body)), sorted(users_by_name(snap)))
        self.assertNotIn("tok-123", err)

    def test_push_builds_the_url_from_panel_url_and_server_id(self):
        panel = PanelStandIn()
        self.addCleanup(panel.close)
        env = dict(os.environ, PANEL_URL=f"http://127.0.0.1:{panel.port}/", SERVER_ID="42")
        status, _, err = run_binary("push", *self.mgmt_args(), env=env)
        self.assertEqual(status, 0, err)
        self.assertEqual(panel.requests[0]["path"], "/api/servers/42/events")
        self.assertNotIn("Authorization", panel.requests[0]["headers"])

    def test_push_exits_1_and_names_the_status_when_the_panel_rejects(self):
        panel = PanelStandIn(status=503)
        self.addCleanup(panel.close)
        status, _, err = run_binary("push", *self.mgmt_args(), "--url", panel.url())
        self.assertEqual(status, 1)
        self.assertIn("503", err)

    def test_push_exits_1_when_the_panel_is_unreachable(self):
        status, _, err = run_binary("push", *self.mgmt_args(), "--url", f"http://127.0.0.1:{free_port()}/x")
        self.assertEqual(status, 1)
        self.assertIn("unreachable", err)


def wait_for_next_second(server):
    import time
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.05)


if __name__ == "__main__":
    unittest.main()

"""Faults injected for real around the daemon: a panel that refuses, hangs, fails, rejects the
token, speaks bad TLS or answers garbage; management interfaces that refuse, stay silent, dribble,
lie, stop halfway or never stop; hostile and malformed event datagrams; a crash. Every case
says what the daemon did and what the panel saw."""
import json
import os
import pwd
import signal
import socket
import stat
import threading
import time
import unittest

from tests.lib.harness import (SANITIZED, Aggregator, FakeManagement, free_port, make_tls_cert, new_client,
                               PanelStandIn, Processes, run_binary, TwoServers, users_by_name, wait_until)

INTERVAL = 0.5


class Rig(TwoServers):
    """The two servers shared by the tests of a class; each test gets its own daemon and panel
    (own_panel), and its clients are stopped when it ends."""

    def setUp(self):
        self.daemon_procs = Processes()
        self.addCleanup(self.daemon_procs.stop_all)

    def daemon(self, url, *extra, state=None):
        d = Aggregator(self.daemon_procs, self.work, [
            "--mgmt", f"udp={self.udp.mgmt_address}", "--mgmt", f"tcp={self.tcp.mgmt_address}",
            "--url", url, "--interval", str(INTERVAL), "--event-socket", self.socket,
            "--event-user", "nobody", "--state-dir", state or self.work.join(f"state-{self.id()}"), *extra])
        d.log = self.work.join(f"daemon-{self.id()}.log")
        return d.start(self.socket)

    def own_panel(self, **kwargs):
        p = PanelStandIn(**kwargs)
        self.addCleanup(p.close)
        return p


class PanelFaults(Rig):
    def test_refused_panel_gets_the_current_state_within_an_interval_of_returning(self):
        port = free_port()
        d = self.daemon(f"http://127.0.0.1:{port}/events")
        self.client(self.tcp, "during-outage", stop_at_end=True)
        time.sleep(2)
        panel = self.own_panel(port=port)
        t0 = time.time()
        payload = panel.wait_for_payload(lambda p: "during-outage" in users_by_name(p), 5)
        # Within one interval of its return (plus the cycle itself: a query and a POST).
        self.assertLess(panel.requests[0]["arrived"] - t0, INTERVAL + 0.5)
        self.assertIsNotNone(payload)
        # Logged once the daemon has read the answer, which may be just after the panel saw the
        # request (the sanitizer build is slower).
        wait_until(lambda: "panel accepts posts again" in d.read_log(), 5, what="the recovery line")
        self.assertEqual(d.read_log().count("panel unreachable"), 1)  # once per episode

    def test_5xx_is_retried_with_capped_backoff_and_logged_once(self):
        panel = self.own_panel(status=503)
        d = self.daemon(panel.url())
        time.sleep(3)
        attempts = panel.count()
        # Capped at one per interval (plus the first quick retries), never a busy loop.
        self.assertLessEqual(attempts, 3 / INTERVAL + 3)
        self.assertGreaterEqual(attempts, 3)
        self.assertEqual(d.read_log().count("HTTP 503"), 1)
        panel.set(status=200)
        mark = panel.count()
        self.client(self.udp, "after-5xx", stop_at_end=True)
        payload = panel.wait_for_payload(lambda p: "after-5xx" in users_by_name(p), 5, after=mark)
        self.assertEqual(payload["status"], "mgmt")

    def test_401_and_403_are_logged_once_per_episode(self):
        panel = self.own_panel(status=401)
        d = self.daemon(panel.url())
        time.sleep(2)
        panel.set(status=403)
        time.sleep(2)
        log = d.read_log()
        self.assertEqual(log.count("HTTP 401"), 1)
        self.assertEqual(log.count("HTTP 403"), 1)

    def test_slow_panel_times_out_and_events_are_still_read(self):
        panel = self.own_panel()
        panel.set(delay=3)
        d = self.daemon(panel.url(), "--panel-timeout", "1")
        time.sleep(1.5)
        self.client(self.tcp, "while-slow", stop_at_end=True)
        time.sleep(1.5)
        panel.set(delay=0)
        payload = panel.wait_for_payload(lambda p: "while-slow" in users_by_name(p) and p in panel.accepted(), 6)
        self.assertIn("timed out", d.read_log().lower())
        self.assertIn("while-slow", users_by_name(payload))

    def test_tls_failure_is_named_and_a_ca_file_fixes_it(self):
        cert, key = make_tls_cert(self.work.path)
        panel = self.own_panel(tls=(cert, key))
        d = self.daemon(panel.url())
        time.sleep(1.5)
        self.assertEqual(panel.count(), 0)
        self.assertIn("certificate", d.read_log())
        d.stop()
        self.daemon(panel.url(), "--ca-file", cert)
        panel.wait_for_payload(lambda p: p["status"] == "mgmt", 5)

    def test_2xx_with_a_garbage_body_counts_as_accepted(self):
        panel = self.own_panel()
        panel.set(body=b"\x00\xffnot json at all" * 100)
        d = self.daemon(panel.url())
        wait_until(lambda: panel.count() >= 4, 5, what="four posts")
        self.assertNotIn("error", d.read_log())


class SessionRecordsNeverLost(Rig):
    def ended(self, panel, username):
        return [r for p in panel.accepted() for r in p["sessions_ended"] if r["username"] == username]

    def test_a_disconnect_record_reaches_the_panel_once_acknowledged(self):
        panel = self.own_panel()
        self.daemon(panel.url())
        c = self.client(self.tcp, "recorded", stop_at_end=True)
        time.sleep(0.5)
        c.stop()
        wait_until(lambda: self.ended(panel, "recorded"), 5, what="the record")
        time.sleep(3 * INTERVAL)
        [record] = {r["id"]: r for r in self.ended(panel, "recorded")}.values()
        self.assertEqual(len(self.ended(panel, "recorded")), 1)  # acknowledged: not sent again
        self.assertEqual(record["instance"], "tcp")
        self.assertEqual(record["common_name"], "recorded")
        self.assertGreater(record["bytes_received"], 0)
        self.assertGreater(record["bytes_sent"], 0)
        self.assertGreaterEqual(record["duration"], 0)
        self.assertEqual(record["client_ip"], "127.0.0.1")
        self.assertTrue(record["virtual_ip"].startswith(f"10.{self.tcp.subnet_octet}.0."))
        self.assertEqual(record["reason"], "unknown")

    def test_records_survive_a_panel_outage_and_a_daemon_crash(self):
        state = self.work.join("state-crash")
        panel = self.own_panel(status=503)
        d = self.daemon(panel.url(), state=state)
        c = self.client(self.tcp, "crash-survivor", stop_at_end=True)
        time.sleep(0.5)
        c.stop()
        wait_until(lambda: any(r["username"] == "crash-survivor" for p in panel.payloads()
                               for r in p["sessions_ended"]), 5, what="the record offered")
        d.stop(signal.SIGKILL)  # a crash: no clean shutdown
        panel.set(status=200)
        self.daemon(panel.url(), state=state)
        wait_until(lambda: self.ended(panel, "crash-survivor"), 5, what="the record after the restart")
        offered = {r["id"] for p in panel.payloads() for r in p["sessions_ended"] if r["username"] == "crash-survivor"}
        self.assertEqual(len(offered), 1)  # one id throughout: the panel can drop repeats


class ManagementFaults(Rig):
    def snapshot_with(self, fake, *extra):
        status, out, err = run_binary("snapshot", "--config", "/dev/null", "--mgmt", f"udp={self.udp.mgmt_address}",
                                      "--mgmt", f"bad={fake.address if fake else '127.0.0.1:' + str(free_port())}",
                                      *extra)
        payload = json.loads(out)
        return status, {s["name"]: s for s in payload["sources"]}, payload

    def check_named_error(self, mode, expected, *extra):
        self.client(self.udp, f"alive-{mode}", stop_at_end=True)
        fake = FakeManagement(mode) if mode != "refused" else None
        if fake:
            self.addCleanup(fake.close)
        t0 = time.monotonic()
        status, sources, payload = self.snapshot_with(fake, *extra)
        self.assertLess(time.monotonic() - t0, 3.0)  # no query outlives its deadline
        self.assertEqual(status, 0)
        self.assertFalse(sources["bad"]["ok"])
        expected = (expected,) if isinstance(expected, str) else expected
        self.assertTrue(any(e in sources["bad"]["error"] for e in expected), sources["bad"]["error"])
        self.assertTrue(sources["udp"]["ok"])
        self.assertIn(f"alive-{mode}", users_by_name(payload))

    def test_a_refused_endpoint_is_named_while_the_others_still_report(self):
        self.check_named_error("refused", "Connection refused")

    def test_an_endpoint_that_accepts_and_says_nothing_fails_at_the_query_deadline(self):
        self.check_named_error("silent", "no complete status within 2000 ms")

    def test_an_endpoint_slower_than_the_query_deadline_is_cut_there(self):
        self.check_named_error("slow", "no complete status within", "--mgmt-timeout", "1")

    def test_an_endpoint_that_is_not_openvpn_is_named_by_its_greeting(self):
        self.check_named_error("garbage", "unexpected greeting `HTTP/1.1 400 Bad Request'")

    def test_an_endpoint_that_closes_before_end_is_named(self):
        self.check_named_error("truncated", "closed the connection before END")

    def test_output_that_never_ends_is_cut_with_bounded_memory(self):
        # Cut by the row cap, or (in the slower sanitizer build) by the deadline first.
        self.check_named_error("flood", ("lists more than 200000 clients", "no complete status within 2000 ms"),
                               "--mgmt-timeout", "2")
        fake = FakeManagement("flood")
        self.addCleanup(fake.close)
        import subprocess
        from tests.lib.harness import BINARY
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", BINARY, "snapshot", "--config", "/dev/null",
                               "--mgmt", f"bad={fake.address}"], capture_output=True, text=True, timeout=30)
        peak_mib = int(proc.stderr.strip().splitlines()[-1]) / 1024
        # 200,000 sessions at most, whatever the endpoint sends (ASan's shadow memory aside).
        self.assertLess(peak_mib, 300 if SANITIZED else 100)

    def test_busy_real_openvpn_with_another_management_client(self):
        holder = socket.create_connection(("127.0.0.1", self.tcp.mgmt_port))
        self.addCleanup(holder.close)
        holder.recv(200)  # OpenVPN's greeting: it now serves this client only
        status, out, _ = run_binary("snapshot", "--config", "/dev/null", "--mgmt", f"udp={self.udp.mgmt_address}",
                                    "--mgmt", f"tcp={self.tcp.mgmt_address}", "--mgmt-timeout", "1")
        sources = {s["name"]: s for s in json.loads(out)["sources"]}
        self.assertEqual(status, 0)
        self.assertFalse(sources["tcp"]["ok"])
        self.assertIn("busy with another management client", sources["tcp"]["error"])
        self.assertTrue(sources["udp"]["ok"])

    def test_100000_rows_are_read_within_the_deadline(self):
        fake = FakeManagement("normal", rows=100000)
        self.addCleanup(fake.close)
        proc = run_binary("snapshot", "--config", "/dev/null", "--mgmt", f"big={fake.address}", "--mgmt-timeout", "10")
        status, out, err = proc
        payload = json.loads(out)
        self.assertEqual(status, 0, err)
        self.assertEqual(payload["clients"], 100000)

    def test_odd_names_still_give_valid_json(self):
        names = ["bad-\udcff\udcfe-utf8", "ctl-\x01\x1b[31m", 'quo"te\\back', "com,ma", "x" * 4096, "ünï-cödé"]
        fake = FakeManagement("normal", names=names)
        self.addCleanup(fake.close)
        status, out, err = run_binary("snapshot", "--config", "/dev/null", "--mgmt", f"odd={fake.address}")
        payload = json.loads(out)  # valid JSON or this raises
        got = set(users_by_name(payload))
        self.assertIn("bad-\ufffd\ufffd-utf8", got)
        self.assertIn("ctl-\x01\x1b[31m", got)
        self.assertIn('quo"te\\back', got)
        self.assertIn("com,ma", got)
        self.assertIn("x" * 4096, got)
        self.assertIn("ünï-cödé", got)


def send_as(uid, path, data, connect_first=True):
    """Sends one datagram from a child that connected as root and then became `uid`: file
    permissions let it in, so only the daemon's credential check can keep it out."""
    pid = os.fork()
    if pid == 0:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.connect(path)
            os.setgid(uid)
            os.setuid(uid)
            s.send(data)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def datagram(**fields):
    out = b"ovpn-mgmt-push/1\0"
    for k, v in fields.items():
        out += f"{k}={v}".encode() + b"\0"
    return out


class SourceFaultsInTheDaemon(Rig):
    def test_a_source_that_stays_down_is_logged_once_not_every_cycle(self):
        panel = self.own_panel()
        d = self.daemon(panel.url(), "--mgmt", f"gone=127.0.0.1:{free_port()}")
        panel.wait_for_payload(lambda p: any(s["name"] == "gone" and not s["ok"] for s in p["sources"]), 5)
        count = panel.count()
        wait_until(lambda: panel.count() >= count + 8, 10, what="eight more cycles")
        self.assertEqual(d.read_log().count("source gone:"), 1, d.read_log())


class EventSocketDefence(Rig):
    def test_datagrams_from_other_users_are_dropped_and_counted(self):
        panel = self.own_panel()
        d = self.daemon(panel.url())
        uid = pwd.getpwnam("daemon").pw_uid
        send_as(uid, self.socket, datagram(event="connect", instance="udp", ts_us=1, common_name="forged",
                                           real_ip="192.0.2.66", real_port=6, virtual_ip="10.81.0.66"))
        payload = panel.wait_for_payload(lambda p: p.get("event_socket", {}).get("foreign_sender") == 1, 5)
        self.assertNotIn("forged", users_by_name(payload))
        self.assertIn(f"sender uid {uid}", d.read_log())

    def test_a_process_of_openvpns_own_user_without_the_sender_key_is_dropped_and_counted(self):
        # `nobody` is OpenVPN's user here, and many other programs' too.
        panel = self.own_panel()
        d = self.daemon(panel.url())
        nobody = pwd.getpwnam("nobody").pw_uid
        forged = dict(event="connect", instance="udp", ts_us=1, common_name="forged", real_ip="192.0.2.66",
                      real_port=6, virtual_ip="10.81.0.66")
        send_as(nobody, self.socket, datagram(**forged))
        send_as(nobody, self.socket, datagram(sender_key="0" * 64, **forged))
        payload = panel.wait_for_payload(lambda p: p.get("event_socket", {}).get("foreign_sender") == 2, 5)
        self.assertNotIn("forged", users_by_name(payload))
        self.assertIn(f"(uid {nobody}) sent no valid sender key", d.read_log())
        key = self.socket + ".key"
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        self.assertEqual(os.stat(key).st_uid, 0)
        # The real server's events still count: its plugin read the key as root at start.
        mark = panel.count()
        new_client(self, self.udp, "real-after-forgery").start()
        panel.wait_for_payload(lambda p: any(e["username"] == "real-after-forgery" for e in p["events"]), 10,
                               after=mark)

    def test_malformed_and_oversized_datagrams_are_dropped_and_counted(self):
        panel = self.own_panel()
        d = self.daemon(panel.url())
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b"hello", self.socket)
        s.sendto(datagram(event="connect", instance="udp", ts_us=1).replace(b"/1", b"/9"), self.socket)
        s.sendto(b"x" * 10000, self.socket)
        panel.wait_for_payload(lambda p: p.get("event_socket", {}).get("malformed") == 3, 5)
        self.assertEqual(d.read_log().count("event dropped"), 1)  # rate-limited

    def test_a_flood_does_not_starve_the_cadence(self):
        panel = self.own_panel()
        self.daemon(panel.url())
        stop = threading.Event()

        def flood():
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.setblocking(False)
            junk = b"ovpn-mgmt-push/1\0junk"
            while not stop.is_set():
                try:
                    s.sendto(junk, self.socket)
                except BlockingIOError:
                    pass

        threads = [threading.Thread(target=flood) for _ in range(2)]
        for t in threads:
            t.start()
        mark = panel.count()
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join()
        posts = panel.payloads()[mark:]
        self.assertGreaterEqual(len(posts), 3 / INTERVAL - 2)
        self.assertGreater(posts[-1]["event_socket"]["malformed"], 1000)


class Lifecycle(Rig):
    def test_sighup_rereads_the_config_without_dropping_the_socket(self):
        panel = self.own_panel()
        conf = self.work.join("reload.conf")
        with open(conf, "w") as f:
            f.write(f"MGMT_ENDPOINTS=udp={self.udp.mgmt_address}\nPUSH_INTERVAL=60\n")
        d = Aggregator(self.daemon_procs, self.work, ["--config", conf, "--url", panel.url(),
                                                      "--event-socket", self.socket, "--event-user", "nobody",
                                                      "--state-dir", self.work.join("state-reload")])
        d.start(self.socket)
        inode = os.stat(self.socket).st_ino
        panel.wait_for_payload(lambda p: p["trigger"] == "startup", 5)
        with open(conf, "w") as f:
            f.write(f"MGMT_ENDPOINTS=udp={self.udp.mgmt_address},tcp={self.tcp.mgmt_address}\nPUSH_INTERVAL={INTERVAL}\n")
        mark = panel.count()
        os.kill(d.proc.pid, signal.SIGHUP)
        payload = panel.wait_for_payload(lambda p: [s["name"] for s in p["sources"]] == ["udp", "tcp"], 5, after=mark)
        self.assertEqual(os.stat(self.socket).st_ino, inode)
        wait_until(lambda: panel.count() >= mark + 4, 4, what="posts at the new interval")
        self.assertIsNone(d.proc.poll())
        self.assertIn("reloaded", d.read_log())
        self.assertEqual(payload["status"], "mgmt")

    def test_a_bad_config_on_sighup_keeps_the_running_settings(self):
        panel = self.own_panel()
        conf = self.work.join("reload-bad.conf")
        with open(conf, "w") as f:
            f.write(f"MGMT_ENDPOINTS=udp={self.udp.mgmt_address}\n")
        d = Aggregator(self.daemon_procs, self.work, ["--config", conf, "--url", panel.url(), "--interval", "0.5",
                                                      "--event-socket", self.socket, "--event-user", "nobody",
                                                      "--state-dir", self.work.join("state-reload-bad")])
        d.start(self.socket)
        with open(conf, "w") as f:
            f.write("MGMT_ENDPOINTS=udp=127.0.0.1:75o5\n")
        os.kill(d.proc.pid, signal.SIGHUP)
        mark = panel.count()
        wait_until(lambda: panel.count() >= mark + 2, 4, what="posts after the bad reload")
        self.assertIn("reload failed, keeping the running settings", d.read_log())
        self.assertIn("`udp=127.0.0.1:75o5'", d.read_log())

    def test_a_bad_panel_url_on_sighup_keeps_posting_to_the_old_one(self):
        panel = self.own_panel()
        conf = self.work.join("reload-bad-url.conf")
        with open(conf, "w") as f:
            f.write(f"MGMT_ENDPOINTS=udp={self.udp.mgmt_address}\nPANEL_EVENTS_URL={panel.url()}\n")
        d = Aggregator(self.daemon_procs, self.work, ["--config", conf, "--interval", "0.5",
                                                      "--event-socket", self.socket, "--event-user", "nobody",
                                                      "--state-dir", self.work.join("state-reload-bad-url")])
        d.start(self.socket)
        with open(conf, "w") as f:
            f.write(f"MGMT_ENDPOINTS=udp={self.udp.mgmt_address}\nPANEL_EVENTS_URL=gopher://panel/x\n")
        os.kill(d.proc.pid, signal.SIGHUP)
        wait_until(lambda: "reload failed" in d.read_log(), 4, what="the reload refused")
        mark = panel.count()
        wait_until(lambda: panel.count() >= mark + 2, 4, what="posts to the old panel after the bad reload")
        self.assertIn("`gopher://panel/x'", d.read_log())


if __name__ == "__main__":
    unittest.main()

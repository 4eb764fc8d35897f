"""The read-only management proxy (--mgmt-proxy), with real OpenVPN servers (UDP and TCP, the plugin
loaded) and real clients: tools speak OpenVPN's management protocol to the proxy, any number at
once, and get OpenVPN's own answers from the daemon's last poll, while OpenVPN serves only the
daemon. Nothing a proxy client sends reaches OpenVPN."""
import grp
import os
import pwd
import re
import socket
import stat
import statistics
import threading
import time
import unittest

from tests.lib.harness import (Aggregator, free_port, Management, new_client, OwnPanel, run_binary,
                               TwoServers, users_by_name, wait_until)

LOAD_SECONDS = float(os.environ.get("OMP_PROXY_LOAD_SECONDS", "30"))


def shape(lines):
    """What kind of line comes where: the keyword of each (TITLE, HEADER CLIENT_LIST, CLIENT_LIST,
    ...), with a run of rows of one kind counted once per row."""
    kinds = []
    for line in lines:
        fields = re.split("[\t,]", line)
        kinds.append(" ".join(fields[:2]) if fields[0] == "HEADER" else fields[0])
    return kinds


def client_rows(lines, sep):
    """CLIENT_LIST rows as dicts by the header's names, without the columns that move between two
    reads of a live server (bytes)."""
    header = next(l.split(sep)[2:] for l in lines if l.startswith(f"HEADER{sep}CLIENT_LIST"))
    rows = [dict(zip(header, l.split(sep)[1:])) for l in lines if l.startswith(f"CLIENT_LIST{sep}")]
    for row in rows:
        row.pop("Bytes Received"), row.pop("Bytes Sent")
    return sorted(rows, key=lambda r: r["Common Name"] + r["Real Address"])


class ProxyBesideRealOpenVPN(TwoServers):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.udp_proxy = "unix:" + cls.work.join("run", "udp-proxy.sock")
        cls.tcp_proxy = f"127.0.0.1:{free_port()}"
        cls.daemon = Aggregator(cls.procs, cls.work, [
            "--mgmt", f"udp={cls.udp.mgmt_address}", "--mgmt", f"tcp={cls.tcp.mgmt_address}",
            "--url", cls.panel.url(), "--interval", "2", "--event-socket", cls.socket,
            "--mgmt-proxy", f"udp={cls.udp_proxy}", "--mgmt-proxy", f"tcp={cls.tcp_proxy}",
            "--mgmt-proxy-mode", "0640", "--mgmt-proxy-user", "nobody", "--mgmt-proxy-group", "nogroup"]).start(cls.socket)
        cls.clients = [new_client(cls, server, "proxied", username=f"proxied-{i}").start()
                       for i, server in enumerate((cls.udp, cls.tcp, cls.udp))]
        names = {f"proxied-{i}" for i in range(3)}
        cls.panel.wait_for_payload(lambda p: names <= set(users_by_name(p)), 20, what="the three clients")

    def proxy_answer(self, address, command):
        """The proxy's answer once it has a complete poll to replay."""
        def ask():
            m = Management(address)
            try:
                lines = m.ask(command)
            finally:
                m.close()
            return lines if not lines[0].startswith("ERROR:") else None
        return wait_until(ask, 10, interval=0.2, what=f"the proxy's answer to {command}")

    def real_answer(self, server, command):
        m = Management(f"127.0.0.1:{server.mgmt_port}")
        try:
            return m.ask(command)
        finally:
            m.close()

    def test_the_proxy_and_openvpn_give_the_same_conversations(self):
        for server, proxy in ((self.udp, self.udp_proxy), (self.tcp, self.tcp_proxy)):
            for command, sep in (("status 3", "\t"), ("status 2", ",")):
                proxied = self.proxy_answer(proxy, command)
                real = self.real_answer(server, command)
                with self.subTest(server=server.name, command=command):
                    self.assertEqual(shape(proxied), shape(real))
                    self.assertEqual([l for l in proxied if l.startswith("HEADER")],
                                     [l for l in real if l.startswith("HEADER")])
                    self.assertEqual(client_rows(proxied, sep), client_rows(real, sep))
            proxied, real = self.proxy_answer(proxy, "status"), self.real_answer(server, "status")
            with self.subTest(server=server.name, command="status"):
                self.assertEqual(shape(proxied), shape(real))
                self.assertEqual(proxied[2], real[2])  # the client list's column names
                self.assertEqual(sorted(l.split(",")[0] for l in proxied if l.startswith("proxied")),
                                 sorted(l.split(",")[0] for l in real if l.startswith("proxied")))
            for command in ("version", "state"):
                with self.subTest(server=server.name, command=command):
                    self.assertEqual(self.proxy_answer(proxy, command), self.real_answer(server, command))
            with self.subTest(server=server.name, command="load-stats"):
                proxied, real = self.proxy_answer(proxy, "load-stats"), self.real_answer(server, "load-stats")
                pattern = r"SUCCESS: nclients=(\d+),bytesin=\d+,bytesout=\d+"
                self.assertEqual(re.fullmatch(pattern, proxied[0]).group(1), re.fullmatch(pattern, real[0]).group(1))
        proxied, real = Management(self.udp_proxy), Management(f"127.0.0.1:{self.udp.mgmt_port}")
        self.assertEqual(proxied.greeting, real.greeting)
        proxied.close()
        real.close()

    def test_the_unix_socket_has_the_mode_and_owner_asked_for(self):
        st = os.stat(self.udp_proxy[5:])
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o640)
        self.assertEqual((pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name), ("nobody", "nogroup"))

    def test_openvpn_monitors_conversation_through_the_proxy(self):
        """openvpn-monitor (furlongm/openvpn-monitor, management_connection.py) sends version,
        state, load-stats and status 3 on one connection, and waits for '\\nEND\\r\\n' after each
        (after any data for load-stats), with '>INFO' lines removed."""
        sock = socket.create_connection(("127.0.0.1", int(self.tcp_proxy.rsplit(":", 1)[1])), timeout=5)
        self.addCleanup(sock.close)

        def send_command(command):
            sock.send(f"{command}\n".encode())
            data = ""
            while True:
                data += re.sub(">INFO.*\r\n", "", sock.recv(1024).decode())
                if command == "load-stats" and data != "":
                    return data
                if data.endswith("\nEND\r\n"):
                    return data

        wait_until(lambda: not send_command("load-stats").startswith("ERROR"), 10, interval=0.2,
                   what="a complete poll to replay")
        version = send_command("version")
        self.assertRegex(version, r"^OpenVPN Version: OpenVPN 2\.\d+\.\d+ ")
        state = send_command("state").splitlines()[0].split(",")
        self.assertEqual(state[1:3], ["CONNECTED", "SUCCESS"])
        self.assertRegex(send_command("load-stats"), r"^SUCCESS: nclients=1,bytesin=\d+,bytesout=\d+\r\n$")
        status = send_command("status 3")
        self.assertIn("\r\nCLIENT_LIST\tproxied\t", status)
        sock.send(b"quit\n")
        self.assertEqual(sock.recv(1024), b"")  # closed, as OpenVPN closes on quit

    def test_commands_that_would_change_openvpn_are_refused_and_never_reach_it(self):
        before = self.udp.read_log()
        m = Management(self.udp_proxy)
        for command in ("kill proxied-0", "client-kill 0", "signal SIGTERM", "hold release", "log on",
                        "bytecount 1", "state on", "password x y"):
            with self.subTest(command=command):
                answer = m.ask(command)
                self.assertEqual(len(answer), 1)
                self.assertTrue(answer[0].startswith("ERROR: "), answer)
        self.assertEqual(m.ask("help")[-1], "END")
        m.close()
        time.sleep(0.5)
        self.assertIsNone(self.udp.proc.poll())
        new_log = self.udp.read_log()[len(before):]
        self.assertNotIn("SIGTERM", new_log)
        self.assertNotIn("client-kill", new_log)
        rows = {r["Username"] for r in self.udp.client_rows()}
        self.assertLessEqual({"proxied-0", "proxied-2"}, rows)

    def test_twenty_tools_at_once_leave_openvpn_to_the_daemon(self):
        mark = self.panel.count()
        started = time.monotonic()
        latencies, errors, answers = [], [], [0]
        lock = threading.Lock()

        def tool(i):
            address = self.udp_proxy if i % 2 else self.tcp_proxy
            try:
                m = Management(address)
                while time.monotonic() - started < LOAD_SECONDS:
                    t0 = time.monotonic()
                    lines = m.ask("status 3")
                    took = time.monotonic() - t0
                    with lock:
                        latencies.append(took)
                        answers[0] += 1
                        if lines[-1] != "END":
                            errors.append(lines[:2])
                    time.sleep(0.1)
                m.close()
            except Exception as e:  # noqa: BLE001 (reported below)
                with lock:
                    errors.append(repr(e))

        threads = [threading.Thread(target=tool, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(LOAD_SECONDS + 30)
        elapsed = time.monotonic() - started
        self.assertEqual(errors, [])
        posts = [p for p in self.panel.payloads()[mark:] if p["trigger"] == "interval"]
        # The 2-second cadence held: one interval POST per 2 s, give or take one.
        self.assertGreaterEqual(len(posts), int(elapsed / 2) - 1)
        for p in posts:
            for source in p["sources"]:
                self.assertTrue(source["ok"], source)  # never "busy with another management client"
        latencies.sort()
        p50, p99 = statistics.median(latencies), latencies[int(0.99 * (len(latencies) - 1))]
        print(f"\nproxy: 20 clients, {answers[0]} answers of status 3 in {elapsed:.1f} s; latency p50 "
              f"{p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms; {len(posts)} interval POSTs, every source ok")

    def test_a_client_that_stalls_mid_command_holds_nothing(self):
        stalled = Management(self.udp_proxy)
        stalled.sock.sendall(b"stat")  # and never the rest
        silent = Management(self.tcp_proxy)  # connects, reads nothing more, sends nothing
        self.addCleanup(stalled.sock.close)
        self.addCleanup(silent.sock.close)
        for address in (self.udp_proxy, self.tcp_proxy):
            m = Management(address)
            t0 = time.monotonic()
            self.assertEqual(m.ask("status 3")[-1], "END")
            self.assertLess(time.monotonic() - t0, 1.0)
            m.close()
        mark = self.panel.count()
        self.panel.wait_for_payload(lambda p: all(s["ok"] for s in p["sources"]), 5, after=mark,
                                    what="a POST with every source ok")


    def test_a_client_that_asks_without_reading_gets_one_answer_queued_not_all(self):
        def rss_kib():
            with open(f"/proc/{self.daemon.proc.pid}/status") as f:
                return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))

        before = rss_kib()
        flood = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        flood.connect(self.udp_proxy[5:])
        self.addCleanup(flood.close)
        flood.setblocking(False)
        sent = 0
        try:
            for _ in range(20000):  # until its side fills: the proxy stopped reading it
                sent += flood.send(b"status 3\n" * 100)
        except BlockingIOError:
            pass
        mark = self.panel.count()
        m = Management(self.tcp_proxy)
        t0 = time.monotonic()
        self.assertEqual(m.ask("status 3")[-1], "END")
        self.assertLess(time.monotonic() - t0, 1.0)
        m.close()
        self.panel.wait_for_payload(lambda p: all(s["ok"] for s in p["sources"]), 5, after=mark,
                                    what="a POST with every source ok")
        grown = rss_kib() - before
        print(f"\n{sent:,} bytes of commands sent unread-answer; daemon RSS grew {grown} KiB")
        self.assertLess(grown, 16 * 1024)

    def test_a_hundred_silent_connections_do_not_lock_out_the_next_reader(self):
        # Tried from outside before: 100 connections that send nothing held all 64 slots for as
        # long as they liked, and every new reader got `ERROR: too many management clients`.
        host, port = self.tcp_proxy.rsplit(":", 1)
        silent = []
        for _ in range(100):
            sock = socket.create_connection((host, int(port)), timeout=5)
            self.addCleanup(sock.close)
            silent.append(sock)
            self.assertTrue(sock.recv(4096).startswith(b">INFO:OpenVPN Management Interface"))
        m = Management(self.tcp_proxy)
        self.assertEqual(m.ask("status 3")[-1], "END")
        m.close()
        # Room was made by closing the connections idle longest: the first 37 (36 for the
        # silent ones beyond 64, one for the reader).
        time.sleep(0.5)
        closed = 0
        for sock in silent:
            sock.setblocking(False)
            try:
                closed += sock.recv(1) == b""
            except BlockingIOError:  # still open, nothing to read
                pass
        self.assertEqual(closed, 37)

    def test_what_a_client_asked_before_closing_its_side_is_still_answered(self):
        host, port = self.tcp_proxy.rsplit(":", 1)
        wait_until(lambda: not self.proxy_answer(self.tcp_proxy, "version")[0].startswith("ERROR"), 10)
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(b"version\n")
            sock.shutdown(socket.SHUT_WR)  # as `echo version | socat - TCP:...` does
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        self.assertIn(b"\r\nManagement Version: ", data)
        self.assertTrue(data.endswith(b"END\r\n"), data[-80:])


class ProxySettings(OwnPanel):
    def test_a_proxy_off_loopback_needs_a_password_and_a_name_must_be_an_endpoint(self):
        err = self.refused_at_start("--mgmt-proxy", "udp=0.0.0.0:7605")
        self.assertIn("`0.0.0.0:7605'", err)
        self.assertIn("MGMT_PROXY_PASSWORD_FILE", err)
        err = self.refused_at_start("--mgmt-proxy", "tcp=127.0.0.1:7606")
        self.assertIn("`tcp' is not a --mgmt endpoint name", err)

    def test_a_proxy_never_takes_over_a_socket_in_use_nor_removes_a_file(self):
        mgmt = "unix:" + self.work.join("openvpn-mgmt.sock")
        code, _, err = run_binary("run", "--config", "/dev/null", "--mgmt", f"udp={mgmt}", "--url",
                                  self.panel.url(), "--mgmt-proxy", f"udp={mgmt}")
        self.assertEqual(code, 2)
        self.assertIn("is a management or event socket already", err)
        occupied = self.work.join("not-a-socket")
        with open(occupied, "w") as f:
            f.write("keep me\n")
        sock = self.work.join("events.sock")
        daemon = Aggregator(self.procs, self.work, [
            "--mgmt", "udp=127.0.0.1:1", "--url", self.panel.url(), "--event-socket", sock,
            "--mgmt-proxy", f"udp=unix:{occupied}"])
        daemon.start()
        self.assertEqual(daemon.proc.wait(10), 1)
        self.assertIn(f"management proxy unix:{occupied}: bind", daemon.read_log())
        with open(occupied) as f:
            self.assertEqual(f.read(), "keep me\n")

    def test_a_client_idle_longer_than_the_idle_timeout_is_closed(self):
        address = "unix:" + self.work.join("proxy.sock")
        sock = self.work.join("events.sock")
        Aggregator(self.procs, self.work, [
            "--mgmt", "udp=127.0.0.1:1", "--url", self.panel.url(), "--event-socket", sock,
            "--mgmt-proxy", f"udp={address}", "--mgmt-proxy-idle-timeout", "1"]).start(sock)
        idle, talking = Management(address), Management(address)
        self.addCleanup(idle.sock.close)
        self.addCleanup(talking.sock.close)
        t0 = time.monotonic()
        for _ in range(4):  # a client that asks now and then is not idle
            time.sleep(0.5)
            talking.ask("load-stats")
        idle.sock.settimeout(5)
        self.assertEqual(idle.sock.recv(1), b"")  # closed by the proxy
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertTrue(talking.ask("load-stats")[0].startswith(("SUCCESS", "ERROR")))

    def test_a_password_is_asked_as_openvpn_asks_it(self):
        password_file = self.work.join("proxy.pw")
        with open(os.open(password_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("tools-only\n")
        address = f"127.0.0.1:{free_port()}"
        sock = self.work.join("events.sock")
        Aggregator(self.procs, self.work, [
            "--mgmt", "udp=127.0.0.1:1", "--url", self.panel.url(), "--event-socket", sock,
            "--mgmt-proxy", f"udp={address}", "--mgmt-proxy-password-file", password_file]).start(sock)
        with self.assertRaises(PermissionError):
            Management(address, password="wrong")
        m = Management(address, password="tools-only")
        self.assertTrue(m.greeting.startswith(b">INFO:OpenVPN Management Interface"))
        # udp=127.0.0.1:1 answers nothing: the proxy says so instead of inventing a status.
        self.assertTrue(m.ask("status 3")[0].startswith("ERROR: OpenVPN udp did not answer"))
        m.close()


if __name__ == "__main__":
    unittest.main()

"""ovpn-mgmt-push on a real, booted Debian server (Debian 12 or 13: OMP_SUITE, with the build
for that release): systemd as PID 1, apt, Debian's own openvpn-server@ units, and the old
timer script deployed as the fleet has it. Each case boots a server of its own, so no case
depends on another.

Figures (time to the first POST, exposure, memory) are printed as `figure:` lines."""
import glob
import os
import re
import time
import unittest

from tests.booted.deployments import ONESHOT_TIMER, STATUS_PUSH_TIMERS, Server
from tests.booted.releases import under_test

from tests.lib.harness import Processes, read_text, users_by_name, wait_until, Workdir

UNIT = "ovpn-mgmt-push.service"
STATE = "/var/lib/ovpn-mgmt-push/session-records.jsonl"


def figure(text):
    print(f"figure: {text}", flush=True)


class BootedServerCase(unittest.TestCase):
    def setUp(self):
        self.procs = Processes()
        self.addCleanup(self.procs.stop_all)
        self.work = Workdir("omp-booted-")
        self.addCleanup(self.work.remove)
        self.release = under_test()
        self.deb, self.newer_deb = self.release.debs()

    def server(self, **kwargs):
        server = Server(self.procs, self.work, release=self.release, **kwargs)
        self.addCleanup(server.stop)
        return server.boot()

    def migrated_server(self):
        """A server with the old oneshot + timer deployment, moved over by the README's steps,
        its daemon POSTing."""
        server = self.server(variant=ONESHOT_TIMER)
        _, started = server.install_as_readme_says(self.deb)
        server.first_agent_post_time(started["systemctl restart ovpn-mgmt-push"])
        return server

    def main_pid(self, server):
        return int(server.host.show(UNIT, "MainPID")["MainPID"])

    def wait_restarted(self, server, old_pid, timeout):
        def restarted():
            state = server.host.show(UNIT, "ActiveState", "SubState", "MainPID", "NRestarts")
            return state if state["ActiveState"] == "active" and state["MainPID"] not in ("0", str(old_pid)) else None
        try:
            return wait_until(restarted, timeout, interval=0.2, what="systemd to restart the daemon")
        except AssertionError as e:  # say why, from the unit's own journal
            raise AssertionError(f"{e}\n{server.host.journal(UNIT)[-3000:]}") from None

    def end_a_session_while_the_panel_is_down(self, server, name):
        """A real TCP client connects and leaves while the panel answers 503: its session record
        waits on disk for the panel. Returns the record's line."""
        server.panel.set(status=503)
        client = server.client(name, "tcp").start()
        server.panel.wait_for_payload(lambda p: name in users_by_name(p), 10, what=f"{name} in a POST")
        client.stop()
        return wait_until(lambda: next((l for l in read_text(server.host.path(STATE)).splitlines() if name in l), None),
                          10, what=f"{name}'s record on disk")

    def assert_delivered_once(self, server, name):
        server.panel.set(status=200)
        record = server.panel.wait_for_record(name, timeout=20)
        time.sleep(3)  # later POSTs must not carry it again
        carried = [r for p in server.panel.accepted() for r in p.get("sessions_ended", []) if r["id"] == record["id"]]
        self.assertEqual(len(carried), 1, carried)
        return record


def apt_install(outcomes):
    """What the README's `apt install ./ovpn-mgmt-push_VERSION_amd64.deb` step printed."""
    return next(done for step, done in outcomes.items() if step.startswith("apt install "))


class MigrationFromTheTimerScript(BootedServerCase):
    def assert_old_units_retired(self, server, units):
        h = server.host
        for unit in units:
            self.assertFalse(os.path.exists(h.path(f"/etc/systemd/system/{unit}")), unit)
            self.assertEqual(len(glob.glob(h.path(f"/etc/systemd/system/{unit}.bak-ovpn-mgmt-push-*"))), 1, unit)
            if unit != UNIT:
                self.assertEqual(h.run(["systemctl", "is-active", unit], check=False).stdout.strip(), "inactive")
                self.assertNotEqual(h.run(["systemctl", "is-enabled", unit], check=False).stdout.strip(), "enabled")
        self.assertEqual(glob.glob(h.path("/etc/systemd/system/timers.target.wants/*push*")), [])

    def assert_daemon_runs_from_the_package(self, server, started):
        state = server.host.show(UNIT, "FragmentPath", "ActiveState", "UnitFileState", "NRestarts")
        self.assertEqual(state["FragmentPath"], f"{server.release.unit_dir}/ovpn-mgmt-push.service")
        self.assertEqual(state["ActiveState"], "active")
        self.assertEqual(state["UnitFileState"], "enabled")
        self.assertEqual(state["NRestarts"], "0")
        since = started["systemctl restart ovpn-mgmt-push"]
        first = server.first_agent_post_time(since)
        figure(f"restart of the daemon to its first POST: {(first - since) * 1000:.0f} ms")
        payload = server.agent_posts(after=since)[-1]
        self.assertEqual({(s["name"], s["ok"]) for s in payload["sources"]}, {("udp", True), ("tcp", True)})
        return payload

    def test_the_readme_steps_move_a_oneshot_timer_deployment_onto_the_daemon(self):
        server = self.server(variant=ONESHOT_TIMER)
        h = server.host
        # Before: the old script posts every 2 s, and its unit hides the package's name.
        wait_until(lambda: server.script_posts(), 15, what="the old script's first POST")
        outcomes, started = server.install_as_readme_says(self.deb)

        install = apt_install(outcomes)
        self.assertIn("retired the old timer script's ovpn-mgmt-push.timer: stopped, disabled, unit file kept as "
                      "/etc/systemd/system/ovpn-mgmt-push.timer.bak-ovpn-mgmt-push-", install.stdout)
        self.assertIn("retired the old timer script's ovpn-mgmt-push.service: stopped, unit file kept as", install.stdout)
        setup = outcomes["ovpn-mgmt-push setup"].stdout
        self.assertIn("removed 2 old hook line(s)", setup)
        self.assertIn("the old timer script's units are retired (unit files kept as", setup)
        endpoints = re.search(r"MGMT_ENDPOINTS=(\S+)", setup).group(1)
        self.assertEqual(sorted(endpoints.split(",")), ["tcp=127.0.0.1:7506", "udp=127.0.0.1:7505"])
        self.assert_old_units_retired(server, ONESHOT_TIMER)
        self.assert_daemon_runs_from_the_package(server, started)
        self.assertIn("ExecStart=/usr/sbin/ovpn-mgmt-push run", h.run(["systemctl", "cat", UNIT]).stdout)

        # The script is gone from OpenVPN's hooks and from systemd: nothing of it posts any more.
        quiet_since = started["systemctl restart openvpn-server@server openvpn-server@server-tcp"] + 1
        time.sleep(4)
        self.assertEqual(server.script_posts(after=quiet_since), [])

        # A second run changes nothing.
        configs = {c: read_text(h.path(f"/etc/openvpn/server/{c}")) for c in ("server.conf", "server-tcp.conf")}
        again = h.run(["ovpn-mgmt-push", "setup"]).stdout
        self.assertEqual(again.count("already set up"), 2, again)
        self.assertNotIn("retired the old", again)
        for c, text in configs.items():
            self.assertEqual(read_text(h.path(f"/etc/openvpn/server/{c}")), text)
        self.assertEqual(len(glob.glob(h.path("/etc/openvpn/server/*.bak-ovpn-mgmt-push-*"))), 2)

    def test_the_readme_steps_move_a_status_push_timers_deployment_onto_the_daemon(self):
        server = self.server(variant=STATUS_PUSH_TIMERS)
        wait_until(lambda: server.script_posts(), 15, what="the old script's first POST")
        outcomes, started = server.install_as_readme_says(self.deb)
        install = apt_install(outcomes).stdout
        for timer in ("ovpn-status-push.timer", "ovpn-status-push-tcp.timer"):
            self.assertIn(f"retired the old timer script's {timer}: stopped, disabled", install)
        self.assert_old_units_retired(server, STATUS_PUSH_TIMERS)
        payload = self.assert_daemon_runs_from_the_package(server, started)
        self.assertEqual(payload["agent"]["name"], "ovpn-mgmt-push")
        quiet_since = started["systemctl restart openvpn-server@server openvpn-server@server-tcp"] + 1
        time.sleep(4)
        self.assertEqual(server.script_posts(after=quiet_since), [])


class DaemonUnderSystemd(BootedServerCase):
    def test_real_udp_and_tcp_clients_reach_the_panel_in_an_event_post_within_a_second(self):
        server = self.migrated_server()
        for name, proto in (("carol", "udp"), ("dave", "tcp")):
            mark = server.panel.count()
            client = server.client(name, proto).start(wait=False)
            client.wait_connected()
            connected = time.time()
            payload = server.panel.wait_for_payload(lambda p: p["trigger"] == "event" and name in users_by_name(p),
                                                    5, after=mark, what=f"an event POST listing {name}")
            arrived = next(r["arrived"] for r in server.panel.requests[mark:] if f'"{name}"'.encode() in r["body"])
            self.assertLess(arrived, connected + 1.0)
            self.assertEqual(users_by_name(payload)[name]["proto"], proto)
            figure(f"{proto} client {name}: event POST {(arrived - connected) * 1000:+.0f} ms from the client's "
                   "'Initialization Sequence Completed'")

    def test_systemctl_status_says_sources_users_and_the_last_post(self):
        server = self.migrated_server()
        client = server.client("erin", "udp").start(wait=False)
        client.wait_connected()
        server.panel.wait_for_payload(lambda p: "erin" in users_by_name(p), 10, what="a POST listing erin")
        pattern = r"(\d+)/(\d+) sources ok, (\d+) users?, last POST \d+\.\d s ago, \d+ records? pending"
        status = ""
        deadline = time.time() + 10
        while time.time() < deadline:  # the line is sent after each POST; erin's may be the next
            status = server.host.run(["systemctl", "show", "-p", "StatusText", "--value", UNIT]).stdout.strip()
            match = re.fullmatch(pattern, status)
            if match and match.group(1) == match.group(2) == "2" and int(match.group(3)) >= 1:
                break
            time.sleep(0.2)
        else:
            self.fail(f"systemd's StatusText never said both sources and erin: {status!r}")
        self.assertEqual(int(match.group(3)), server.panel.payloads()[-1]["clients"])
        self.assertIn(f'Status: "{status}"', server.host.run(["systemctl", "status", "--no-pager", UNIT],
                                                              check=False).stdout)
        figure(f"systemctl status: Status: \"{status}\"")

    def test_systemctl_reload_changes_the_endpoints_live(self):
        server = self.migrated_server()
        h = server.host
        pid = self.main_pid(server)
        h.sh("sed -i 's/^MGMT_ENDPOINTS=.*/MGMT_ENDPOINTS=udp=127.0.0.1:7505/' /etc/default/ovpn-mgmt-push")
        mark = time.time()
        h.run(["systemctl", "reload", "ovpn-mgmt-push"])
        payload = wait_until(lambda: next((p for p in server.agent_posts(after=mark)
                                           if [s["name"] for s in p["sources"]] == ["udp"]), None),
                             5, what="a POST with the udp endpoint alone")
        self.assertTrue(payload["sources"][0]["ok"])
        self.assertEqual(self.main_pid(server), pid)  # the same process: reloaded, not restarted
        self.assertIn("reloaded: 1 endpoint(s)", h.journal(UNIT))

        h.sh("sed -i 's/^MGMT_ENDPOINTS=.*/MGMT_ENDPOINTS=udp=127.0.0.1:7505,tcp=127.0.0.1:7506/' "
             "/etc/default/ovpn-mgmt-push")
        mark = time.time()
        h.run(["systemctl", "reload", "ovpn-mgmt-push"])
        wait_until(lambda: any(len(p["sources"]) == 2 for p in server.agent_posts(after=mark)), 5,
                   what="both endpoints again")
        self.assertEqual(self.main_pid(server), pid)

    def test_a_killed_daemon_is_restarted_and_its_session_records_kept(self):
        server = self.migrated_server()
        self.end_a_session_while_the_panel_is_down(server, "erin")
        pid = self.main_pid(server)
        server.host.run(["kill", "-KILL", str(pid)])
        state = self.wait_restarted(server, pid, 10)
        self.assertEqual(state["NRestarts"], "1")
        self.assert_delivered_once(server, "erin")

    def test_the_watchdog_restarts_a_stopped_daemon_and_its_session_records_are_kept(self):
        server = self.migrated_server()
        h = server.host
        # The shipped 30 s watchdog, shortened by a drop-in as an admin would, to keep this quick.
        h.write("/etc/systemd/system/ovpn-mgmt-push.service.d/watchdog.conf", "[Service]\nWatchdogSec=3s\n")
        h.run(["systemctl", "daemon-reload"])
        h.run(["systemctl", "restart", "ovpn-mgmt-push"])
        self.end_a_session_while_the_panel_is_down(server, "frank")
        pid = self.main_pid(server)
        h.run(["kill", "-STOP", str(pid)])
        state = self.wait_restarted(server, pid, 30)
        self.assertEqual(state["NRestarts"], "1")
        self.assertIn("Watchdog timeout", h.journal(UNIT))
        self.assert_delivered_once(server, "frank")

    def test_an_upgrade_while_the_panel_is_down_delivers_the_waiting_record_once(self):
        server = self.migrated_server()
        h = server.host
        self.end_a_session_while_the_panel_is_down(server, "grace")
        pid = self.main_pid(server)
        newer = h.copy_in(self.newer_deb, f"/root/{os.path.basename(self.newer_deb)}")
        upgrade = h.run(["apt-get", "install", "-y", newer])
        self.assertNotIn("Could not execute systemctl", upgrade.stdout + upgrade.stderr)
        version = h.run(["dpkg-query", "-W", "-f=${Version}", "ovpn-mgmt-push"]).stdout
        self.assertIn(version, os.path.basename(self.newer_deb))
        self.wait_restarted(server, pid, 15)
        self.assert_delivered_once(server, "grace")

    def test_exposure_and_memory_as_systemd_reports_them(self):
        server = self.migrated_server()
        h = server.host
        analysis = h.run(["systemd-analyze", "security", "--no-pager", UNIT]).stdout
        exposure = float(re.search(r"Overall exposure level for ovpn-mgmt-push.service: ([0-9.]+)", analysis).group(1))
        figure(f"systemd-analyze security {UNIT}: {exposure}")
        self.assertLessEqual(exposure, 2.0)
        self.assertEqual(h.show(UNIT, "LimitCORE")["LimitCORE"], "0")  # no core dump with the token in it

        for name, proto in (("heidi", "udp"), ("ivan", "tcp")):
            server.client(name, proto).start()
        wait_until(lambda: any({"heidi", "ivan"} <= set(users_by_name(p)) for p in server.agent_posts()), 10,
                   what="both clients in a POST")
        time.sleep(4)  # a few cycles with both listed
        memory = h.show(UNIT, "MemoryCurrent")["MemoryCurrent"]
        pid = self.main_pid(server)
        rollup = dict(re.findall(r"^(\w+):\s+(\d+) kB", h.run(["cat", f"/proc/{pid}/smaps_rollup"]).stdout, re.M))
        figure(f"MemoryCurrent with 2 clients: {memory} "
               f"(the daemon: RSS {int(rollup['Rss']) / 1024:.1f} MiB, PSS {int(rollup['Pss']) / 1024:.1f} MiB, "
               f"anonymous {int(rollup['Anonymous']) / 1024:.1f} MiB)")
        if memory != "[not set]":
            self.assertLess(int(memory), 64 << 20)


class FreshInstall(BootedServerCase):
    def install(self, server):
        h = server.host
        deb = h.copy_in(self.deb, f"/root/{os.path.basename(self.deb)}")
        return h.run(["apt-get", "install", "-y", deb])

    def test_an_unconfigured_install_starts_once_and_apt_reports_no_failure(self):
        server = self.server(variant=None)
        h = server.host
        install = self.install(server)
        for failure in ("Could not execute systemctl", "Job for", "failed"):
            self.assertNotIn(failure, install.stdout + install.stderr)
        time.sleep(6)  # long enough for a restart loop (RestartSec=2s) to show
        state = h.show(UNIT, "ActiveState", "Result", "NRestarts", "ConditionResult", "UnitFileState")
        self.assertEqual((state["ActiveState"], state["NRestarts"], state["ConditionResult"]), ("inactive", "0", "no"))
        self.assertEqual(state["UnitFileState"], "enabled")
        self.assertEqual(h.journal(UNIT).count("not configured yet: set PANEL_URL and SERVER_ID"), 1)

        h.write("/etc/default/ovpn-mgmt-push", f"PANEL_URL=http://127.0.0.1:{8080}\nSERVER_ID=fresh\n", 0o600)
        mark = time.time()
        h.run(["systemctl", "enable", "--now", "ovpn-mgmt-push"])
        first = server.first_agent_post_time(mark)
        figure(f"enable --now to the first POST: {(first - mark) * 1000:.0f} ms")
        self.assertEqual(server.panel.requests[-1]["path"], "/api/servers/fresh/events")

    def test_a_bad_setting_fails_the_unit_once_and_it_is_not_restarted(self):
        server = self.server(variant=None)
        h = server.host
        self.install(server)
        h.write("/etc/default/ovpn-mgmt-push", "PANEL_URL=http://127.0.0.1:8080\nSERVER_ID=7\nPUSH_INTERVAL=2s\n", 0o600)
        self.assertNotEqual(h.run(["systemctl", "restart", "ovpn-mgmt-push"], check=False).returncode, 0)
        time.sleep(6)
        state = h.show(UNIT, "ActiveState", "NRestarts", "ExecMainStatus")
        self.assertEqual((state["ActiveState"], state["NRestarts"], state["ExecMainStatus"]), ("failed", "0", "2"))
        self.assertEqual(h.journal(UNIT).count("bad interval `2s'"), 1)

    def test_purge_leaves_nothing(self):
        server = self.server(variant=None)
        h = server.host
        self.install(server)
        h.write("/etc/default/ovpn-mgmt-push", "PANEL_URL=http://127.0.0.1:8080\nSERVER_ID=7\n", 0o600)
        h.run(["systemctl", "restart", "ovpn-mgmt-push"])
        wait_until(lambda: server.agent_posts(), 10, what="a POST")
        h.run(["apt-get", "purge", "-y", "ovpn-mgmt-push"])
        for path in ("/usr/sbin/ovpn-mgmt-push", "/usr/lib/x86_64-linux-gnu/openvpn/plugins/openvpn-plugin-mgmt-push.so",
                     f"{self.release.unit_dir}/ovpn-mgmt-push.service", "/etc/default/ovpn-mgmt-push",
                     "/var/lib/ovpn-mgmt-push", "/run/ovpn-mgmt-push", "/usr/share/doc/ovpn-mgmt-push",
                     "/usr/share/man/man8/ovpn-mgmt-push.8.gz",
                     "/etc/systemd/system/multi-user.target.wants/ovpn-mgmt-push.service"):
            self.assertNotEqual(h.run(["test", "-e", path], check=False).returncode, 0, path)
        self.assertNotEqual(h.run(["dpkg", "-s", "ovpn-mgmt-push"], check=False).returncode, 0)
        self.assertEqual(h.show(UNIT, "LoadState")["LoadState"], "not-found")
        self.assertEqual(h.run(["pgrep", "-x", "ovpn-mgmt-push"], check=False).stdout, "")


if __name__ == "__main__":
    unittest.main()

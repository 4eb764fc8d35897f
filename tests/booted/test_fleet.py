"""A whole fleet moved over with the project's own tools: tools/apt-repo.sh builds a signed apt
repository with a suite per Debian release, and the Ansible role (deploy/ansible) rolls a
booted Debian 12 and a booted Debian 13 server, each with the old monitoring deployed as
today, onto ovpn-mgmt-push over real SSH, each from its own suite; then a second run that
changes nothing, an upgrade from the repository, a rollback, a host that fails, and a host of a
release the repository has no build for. Plays run with Debian 12's Ansible (2.14, this
machine's) and with Debian 13's (2.19, from a Debian 13 tree: fleet.ControlNode).

Figures (wall time of each play) are printed as `figure:` lines."""
import os
import re
import subprocess
import time
import unittest

from tests.booted.deployments import ONESHOT_TIMER, OVPN_UNITS, STATUS_PUSH_TIMERS, deb_version, installed_version
from tests.booted.fleet import ANSIBLE, TOKEN, ControlNode, Fleet
from tests.booted.releases import BOOKWORM, TRIXIE
from tests.booted import test_booted_host as booted  # the module only: its test classes run from their own module

from tests.lib.harness import users_by_name


def changed_tasks(output):
    """The tasks that reported a change, and on which host: the play's output cut to them."""
    task, lines = None, []
    for line in output.splitlines():
        if line.startswith("TASK ["):
            task = line.rstrip(" *")
        elif line.startswith("changed: ["):
            lines.append(f"{task}: {line[:120]}")
    return "\n".join(lines)


class RoleLint(unittest.TestCase):
    def test_the_role_and_the_playbook_pass_ansible_lint_with_the_production_profile(self):
        done = subprocess.run(["ansible-lint", "--offline", "--profile", "production", "deploy/ansible"], capture_output=True, text=True,
                              cwd=os.path.join(ANSIBLE, "..", ".."))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)


class FleetCase(booted.BootedServerCase):
    def fleet(self, hosts=((ONESHOT_TIMER, BOOKWORM), (STATUS_PUSH_TIMERS, TRIXIE))):
        fleet = Fleet(self.procs, self.work, hosts)
        self.addCleanup(fleet.stop)
        return fleet.boot()



    def debian_13_ansible(self):
        """The control node with Debian 13's Ansible; its version as a figure."""
        control = ControlNode(TRIXIE, self.work)
        version = subprocess.run(control.wrap(["ansible-playbook", "--version"], binds=[]), capture_output=True,
                                 text=True, check=True).stdout.splitlines()[0]
        booted.figure(f"Debian 13's control node: {version}")
        self.assertRegex(version, r"core 2\.(19|[2-9]\d)\.")
        return control

    def assert_play(self, fleet, what, *extra, expect_changes=None, control=None):
        status, output, recap, took = fleet.play(*extra, control=control)
        booted.figure(f"{what}: {took:.1f} s")
        self.assertEqual(status, 0, output[-6000:])
        self.assertNotIn(TOKEN, output)
        for s in fleet.servers:
            self.assertEqual(recap[s.host_name]["failed"], 0, output[-4000:])
            if expect_changes is not None:
                self.assertEqual(recap[s.host_name]["changed"], expect_changes, changed_tasks(output))
        return output

    def openvpn_pids(self, server):
        return {u: server.host.show(u, "MainPID")["MainPID"] for u in OVPN_UNITS}


class RollingOutToAFleet(FleetCase):
    def test_a_fleet_moves_over_then_a_rerun_changes_nothing_and_a_new_build_upgrades_it(self):
        fleet = self.fleet()
        started = time.time()
        self.assert_play(fleet, "first play, two servers")
        played = time.time()
        for s, variant in zip(fleet.servers, (ONESHOT_TIMER, STATUS_PUSH_TIMERS)):
            booted.MigrationFromTheTimerScript.assert_old_units_retired(self, s, variant)
            # Each host installed the build of its own release, from its own suite.
            self.assertIn(f"Suites: {s.release.suite}\n",
                          booted.read_text(s.host.path("/etc/apt/sources.list.d/ovpn-mgmt-push.sources")))
            self.assertEqual(installed_version(s.host), deb_version(s.release.debs()[0]))
            self.assertEqual(s.host.show(booted.UNIT, "FragmentPath")["FragmentPath"],
                             f"{s.release.unit_dir}/ovpn-mgmt-push.service")
            client = s.client(f"user-of-{s.host_name}", "tcp").start()
            self.addCleanup(client.stop)
            payload = s.panel.wait_for_payload(lambda p, s=s: f"user-of-{s.host_name}" in users_by_name(p), 15,
                                               what=f"a client of {s.host_name} in a POST")
            self.assertEqual(payload["agent"]["name"], "ovpn-mgmt-push")
            posts = s._requests(started, True)
            self.assertEqual({r["path"] for r in posts}, {f"/api/servers/{s.server_id}/events"})
            # From the install on, the daemon used the old script's token; since the play, the vault's.
            self.assertEqual({r["headers"]["Authorization"] for r in s._requests(played, True)}, {f"Bearer {TOKEN}"})
            self.assertEqual(s.script_posts(after=time.time()), [])

        openvpn = {s.host_name: self.openvpn_pids(s) for s in fleet.servers}
        daemons = {s.host_name: self.main_pid(s) for s in fleet.servers}
        debian_13 = self.debian_13_ansible()
        self.assert_play(fleet, "second play (Debian 13's Ansible), nothing to change", expect_changes=0,
                         control=debian_13)
        for s in fleet.servers:
            self.assertEqual(self.openvpn_pids(s), openvpn[s.host_name], "OpenVPN was restarted")
            self.assertEqual(self.main_pid(s), daemons[s.host_name], "the daemon was restarted")

        first = fleet.servers[0]
        self.end_a_session_while_the_panel_is_down(first, "waits-for-upgrade")
        fleet.repo.publish(*fleet.builds(newer=True))
        self.assert_play(fleet, "third play (Debian 13's Ansible), a newer build in the repository",
                         control=debian_13)
        for s in fleet.servers:
            self.assertEqual(installed_version(s.host), deb_version(s.release.debs()[1]))
            self.wait_restarted(s, daemons[s.host_name], 15)
        self.assert_delivered_once(first, "waits-for-upgrade")

        # Rolling back: the previous builds published again, the fleet held at their upstream
        # version ("0.1.0"), which each host reads as its own release's build.
        fleet.repo.publish(*fleet.builds())
        upstream = deb_version(BOOKWORM.debs()[0]).split("+deb")[0]
        self.assert_play(fleet, "fourth play, rolled back", "-e", f"ovpn_mgmt_push_version={upstream}")
        for s in fleet.servers:
            self.assertEqual(installed_version(s.host), deb_version(s.release.debs()[0]))
            self.assertEqual(s.host.show(booted.UNIT, "ActiveState")["ActiveState"], "active")


class AFailingHost(FleetCase):
    def test_a_host_with_a_management_interface_down_fails_and_the_next_batch_is_untouched(self):
        fleet = Fleet(self.procs, self.work, ((ONESHOT_TIMER, TRIXIE), (ONESHOT_TIMER, BOOKWORM)))
        self.addCleanup(fleet.stop)
        failing, untouched = fleet.servers
        # A third OpenVPN instance on the first server whose unit is not running: setup gives it
        # a management line, and nothing answers there.
        spare = failing.host.path("/etc/openvpn/server/server.conf")
        with open(spare) as f:
            text = f.read().replace("port 1194", "port 1195").replace("10.8.0.0", "10.9.0.0")
            text = text.replace("management 127.0.0.1 7505", "management 127.0.0.1 7509")
        failing.host.write("/etc/openvpn/server/spare.conf", text)
        fleet.boot()

        status, output, recap, took = fleet.play(control=self.debian_13_ansible())
        booted.figure(f"play (Debian 13's Ansible) with a failing first host: {took:.1f} s")
        self.assertNotEqual(status, 0)
        self.assertNotIn(TOKEN, output)
        self.assertEqual(recap[failing.host_name]["failed"], 1, output[-4000:])
        if not re.search(r"source \S+: 127\.0\.0\.1:\d+: connect: Connection refused", output):
            # Failed otherwise than meant: say why, from the host's own journal.
            self.fail("no `connect: Connection refused` from the daemon in the play's output\n" +
                      failing.host.run(["journalctl", "--no-pager", "-n", "60"], check=False).stdout)
        self.assertNotIn(untouched.host_name, recap)
        self.assertFalse(os.path.exists(untouched.host.path("/etc/apt/sources.list.d/ovpn-mgmt-push.sources")))
        installed = untouched.host.run(["dpkg-query", "-W", "ovpn-mgmt-push"], check=False)
        self.assertNotEqual(installed.returncode, 0, "the package reached the host behind the failed one")


class AReleaseWithoutABuild(FleetCase):
    def test_a_host_of_a_release_the_repository_has_no_build_for_is_refused_by_name(self):
        fleet = Fleet(self.procs, self.work, ((ONESHOT_TIMER, TRIXIE),))
        self.addCleanup(fleet.stop)
        fleet.boot()
        (server,) = fleet.servers
        status, output, recap, _ = fleet.play("-e", '{"ovpn_mgmt_push_suites": ["bookworm"]}')
        self.assertNotEqual(status, 0)
        self.assertEqual(recap[server.host_name]["failed"], 1, output[-4000:])
        self.assertIn("this host runs Debian 13", output)
        self.assertIn("(trixie); the ovpn-mgmt-push repository has builds for bookworm only", output)
        self.assertFalse(os.path.exists(server.host.path("/etc/apt/sources.list.d/ovpn-mgmt-push.sources")))


if __name__ == "__main__":
    unittest.main()

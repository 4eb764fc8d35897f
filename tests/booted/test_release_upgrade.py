"""A Debian 12 server upgraded in place to Debian 13 keeps its monitoring: the README's steps
run word for word inside a booted Debian 12 server that runs ovpn-mgmt-push from the project's
repository (suite bookworm), with a way to Debian's mirror (tests/booted/mirror_proxy.py).
Its lists move to trixie and the project's repository to its trixie suite; apt full-upgrade;
reboot. The package's unit moves from /lib/systemd/system (the Debian 12 build) to
/usr/lib/systemd/system (the Debian 13 build) in that upgrade: the /usr-merge file-loss case.

Figures (the upgrade's wall time, the longest gap between POSTs, what came from the mirror)
are printed as `figure:` lines."""
import os
import re
import threading
import time
import unittest

from tests.booted import test_booted_host as booted
from tests.booted.booted_host import debian_mirror
from tests.booted.deployments import ONESHOT_TIMER, OVPN_UNITS, Server, deb_version, installed_version, readme_commands
from tests.booted.fleet import SignedRepository
from tests.lib.harness import read_text, users_by_name
from tests.booted.mirror_proxy import MirrorProxy
from tests.booted.releases import BOOKWORM, TRIXIE

REPO_PORT = 8090
PLUGIN_LINE = re.compile(r"(?m)^plugin /usr/lib/x86_64-linux-gnu/openvpn/plugins/openvpn-plugin-mgmt-push\.so .*$")


def stanza_for(printed, suite):
    """The deb822 stanza tools/apt-repo.sh printed for `suite`."""
    for part in printed.split("# on a Debian ")[1:]:
        if f"\nSuites: {suite}\n" in part:
            return part.split("\n", 1)[1]
    raise AssertionError(f"tools/apt-repo.sh printed no stanza for {suite}:\n{printed}")


class UpgradeInPlace(booted.BootedServerCase):
    def test_a_debian_12_server_upgraded_to_13_keeps_its_monitoring(self):
        old_deb, new_deb = BOOKWORM.debs()[0], TRIXIE.debs()[0]
        repo = SignedRepository(self.work)
        repo.publish(new_deb)
        bookworm_stanza = stanza_for(repo.publish(old_deb), "bookworm")

        server = Server(self.procs, self.work, variant=ONESHOT_TIMER, release=BOOKWORM)
        self.addCleanup(server.stop)
        h = server.host
        os.makedirs(os.path.join(MirrorProxy.ARCHIVES, "partial"), exist_ok=True)
        h.binds.append(f"{MirrorProxy.ARCHIVES}:/var/cache/apt/archives")
        server.boot()
        repo_server = repo.serve_in(h)
        self.addCleanup(repo_server.server_close)
        self.addCleanup(repo_server.shutdown)
        mirror = MirrorProxy(h, debian_mirror())
        self.addCleanup(mirror.close)
        # What an operator answers by hand: yes, and keep my changed configuration files.
        h.write("/etc/apt/apt.conf.d/90omp-upgrade-test", mirror.apt_conf() +
                'APT::Get::Assume-Yes "true";\n'
                'Dpkg::Options { "--force-confdef"; "--force-confold"; };\n')

        # Debian 12 as the fleet runs it: the package from the repository's bookworm suite.
        _, started = server.install_as_readme_says(old_deb)
        server.first_agent_post_time(started["systemctl restart ovpn-mgmt-push"])
        h.write("/etc/apt/sources.list.d/ovpn-mgmt-push.sources", bookworm_stanza)
        h.run(["apt-get", "update"], timeout=300)
        settings = read_text(h.path("/etc/default/ovpn-mgmt-push"))
        plugin_lines = {c: PLUGIN_LINE.findall(read_text(h.path(f"/etc/openvpn/server/{c}")))
                        for c in ("server.conf", "server-tcp.conf")}
        self.assertTrue(all(plugin_lines.values()), plugin_lines)

        # A session that ends while the server upgrades.
        client = server.client("ends-during-upgrade", "tcp").start()
        self.addCleanup(client.stop)
        server.panel.wait_for_payload(lambda p: "ends-during-upgrade" in users_by_name(p), 10,
                                      what="the client in a POST")

        upgrade_started = time.time()
        outcomes = {}
        for step in readme_commands("## Upgrading a server from Debian 12 to 13", "docs/operators.md"):
            if step == "reboot":
                server.reboot()
                continue
            runner = threading.Thread(target=lambda s=step: outcomes.update({s: self.attempt(h, s)}))
            runner.start()
            if step.startswith("apt full-upgrade"):
                time.sleep(5)  # mid-upgrade
                client.stop()
            runner.join()
            done = outcomes[step]
            if isinstance(done, Exception):
                raise AssertionError(f"{step}: {done}")
            self.assertEqual(done.returncode, 0, f"{step}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        booted.figure(f"Debian 12 -> 13 in place (README steps, reboot included): {time.time() - upgrade_started:.0f} s; "
                      f"{mirror.requests} files, {mirror.bytes / 1e6:.0f} MB through the mirror proxy")

        # Debian 13 now, with the Debian 13 build running from its unit under /usr/lib.
        self.assertIn('VERSION_ID="13"', read_text(h.path("/etc/os-release")))
        self.assertEqual(installed_version(h), deb_version(new_deb))
        state = h.show(booted.UNIT, "FragmentPath", "ActiveState", "UnitFileState")
        self.assertEqual(state, {"FragmentPath": f"{TRIXIE.unit_dir}/ovpn-mgmt-push.service",
                                 "ActiveState": "active", "UnitFileState": "enabled"})
        self.assertTrue(os.path.isfile(h.path(f"{TRIXIE.unit_dir}/ovpn-mgmt-push.service")), "the unit file was lost")
        self.assertEqual(read_text(h.path("/etc/default/ovpn-mgmt-push")), settings)
        for conf, lines in plugin_lines.items():
            self.assertEqual(PLUGIN_LINE.findall(read_text(h.path(f"/etc/openvpn/server/{conf}"))), lines)
        for unit in OVPN_UNITS:
            self.assertEqual(h.show(unit, "ActiveState")["ActiveState"], "active", unit)

        # The session that ended during the upgrade reached the panel once.
        record = server.panel.wait_for_record("ends-during-upgrade", timeout=30)
        time.sleep(3)
        carried = [r for p in server.panel.accepted() for r in p.get("sessions_ended", []) if r["id"] == record["id"]]
        self.assertEqual(len(carried), 1, carried)

        # Real clients in event POSTs after the upgrade.
        for name, proto in (("after-upgrade-udp", "udp"), ("after-upgrade-tcp", "tcp")):
            mark = server.panel.count()
            joined = server.client(name, proto).start()
            self.addCleanup(joined.stop)
            payload = server.panel.wait_for_payload(lambda p: p["trigger"] == "event" and name in users_by_name(p),
                                                    10, after=mark, what=f"an event POST listing {name}")
            self.assertEqual(users_by_name(payload)[name]["proto"], proto)

        posts = [r["arrived"] for r in server.panel.requests if r["arrived"] >= upgrade_started and b'"agent"' in r["body"]]
        self.assertGreater(len(posts), 2, "the daemon hardly POSTed through the upgrade")
        gaps = [b - a for a, b in zip(posts, posts[1:])]
        booted.figure(f"monitoring during the upgrade: {len(posts)} POSTs, longest gap {max(gaps):.1f} s "
                      f"(the reboot included); record of the session ended mid-upgrade delivered once")


    @staticmethod
    def attempt(host, step):
        """A README step in the host: its outcome, or the exception (a time-out) that ended it."""
        try:
            return host.sh(step, check=False, timeout=1500)
        except Exception as e:  # noqa: BLE001 -- reported by the test's own thread
            return e


if __name__ == "__main__":
    unittest.main()

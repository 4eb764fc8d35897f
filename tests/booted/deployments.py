"""What is on a server before and after ovpn-mgmt-push: the old timer script deployed as the
fleet has it, real OpenVPN servers run by Debian's own units, the stand-in panel, real
clients, and the README's install steps run word for word."""
import json
import os
import re
import subprocess
import time
import types

from tests.booted.booted_host import BootedHost

from tests.lib.harness import OpenVPNClient, PanelStandIn, Pki, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.join(HERE, "..", "..")
OLD = os.path.join(HERE, "old_deployment")
PANEL_PORT = 8080  # inside the host's own network namespace: nothing else is there
OVPN_UNITS = ("openvpn-server@server", "openvpn-server@server-tcp")
# The two variants the old script was deployed in.
ONESHOT_TIMER = ("ovpn-mgmt-push.service", "ovpn-mgmt-push.timer")
STATUS_PUSH_TIMERS = ("ovpn-status-push.service", "ovpn-status-push.timer",
                      "ovpn-status-push-tcp.service", "ovpn-status-push-tcp.timer")


def installed_version(host):
    """The version of ovpn-mgmt-push dpkg has installed in `host`."""
    return host.run(["dpkg-query", "-W", "-f=${Version}", "ovpn-mgmt-push"]).stdout


def deb_field(deb, name):
    """A field of a .deb's control file."""
    return subprocess.run(["dpkg-deb", "-f", deb, name], capture_output=True, text=True, check=True).stdout.strip()


def deb_version(deb):
    return deb_field(deb, "Version")


def readme_commands(heading, document="README.md"):
    """The commands of the first indented block under `heading` in `document` (the README, or
    a page of docs/), in order (a trailing `  # comment` dropped)."""
    with open(os.path.join(REPOSITORY, document)) as f:
        section = f.read().split(f"\n{heading}\n", 1)[1]
    lines = section.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("    "))
    block = []
    for line in lines[first:]:
        if not line.startswith("    "):
            break
        block.append(line.split("  #")[0].strip())
    return block


class Server:
    """A booted Debian server (the release under test, or `release`) with the PKI of the test, OpenVPN's UDP and TCP instances in
    /etc/openvpn/server, and (with `variant`) the old monitoring deployed as today."""

    def __init__(self, procs, work, variant=ONESHOT_TIMER, name="vpn1", server_id="7", token="old-secret-token",
                 release=None):
        self.procs, self.work, self.server_id, self.token = procs, work, server_id, token
        self.pki = Pki(work.join(f"pki-{name}"))
        self.host = BootedHost(procs, name, release)
        self.release = self.host.release
        h = self.host
        for f in ("ca.crt", "server.crt", "server.key"):
            h.copy_in(self.pki.path(f), f"/etc/openvpn/server/{f}")
        os.chmod(h.path("/etc/openvpn/server/server.key"), 0o600)
        for conf in ("server.conf", "server-tcp.conf"):
            h.write(f"/etc/openvpn/server/{conf}", self._old(conf))
        self._enable(*[f"{u}.service" for u in OVPN_UNITS])
        if variant:
            h.write("/usr/local/bin/ovpn-mgmt-push.sh", self._old("ovpn-mgmt-push.sh"), 0o755)
            h.write("/etc/default/ovpn-status-push", self._old("ovpn-status-push.default").format(
                panel_port=PANEL_PORT, server_id=server_id, token=token), 0o600)
            for unit in variant:
                h.write(f"/etc/systemd/system/{unit}", self._old(unit))
            self._enable(*[u for u in variant if u.endswith(".timer")])
        else:  # a server that never had the script: plain OpenVPN, no hooks
            for conf in ("server.conf", "server-tcp.conf"):
                text = re.sub(r"(?m)^(script-security|client-connect|client-disconnect) .*\n", "", self._old(conf))
                h.write(f"/etc/openvpn/server/{conf}", text)
        self.panel = None

    @staticmethod
    def _old(name):
        with open(os.path.join(OLD, name)) as f:
            return f.read()

    def _enable(self, *units):
        subprocess.run(["systemctl", f"--root={self.host.root}", "enable", *units], check=True, capture_output=True)

    def boot(self):
        self.host.boot()
        self.panel = self.host.in_network(lambda: PanelStandIn(port=PANEL_PORT))
        self._wait_for_openvpn()
        return self

    def reboot(self):
        """The host reboots; OpenVPN's units come up again (the panel stays: it listens in the
        host's network namespace, which outlives the reboot)."""
        self.host.reboot()
        self._wait_for_openvpn()

    def _wait_for_openvpn(self):
        for unit in OVPN_UNITS:
            wait_until(lambda: self.host.show(unit, "StatusText")["StatusText"] == "Initialization Sequence Completed",
                       30, interval=0.2, what=f"{unit} to start")

    def stop(self):
        if self.panel:
            self.panel.close()
        self.host.stop()

    def install_as_readme_says(self, deb, endpoints=None):
        """Runs the README's install steps inside the server, word for word, but for the
        package's file name and the editor, whose part is to set MGMT_ENDPOINTS to what setup
        printed (or `endpoints`). Returns {step: CompletedProcess} and the time of each step."""
        h = self.host
        h.copy_in(deb, f"/root/{os.path.basename(deb)}")
        outcomes, started = {}, {}
        for step in readme_commands("### Install, set up, enable"):
            started[step] = time.time()
            if step.startswith("editor "):
                printed = re.search(r"MGMT_ENDPOINTS=\S+", outcomes["ovpn-mgmt-push setup"].stdout)
                line = f"MGMT_ENDPOINTS={endpoints}" if endpoints else printed.group(0)
                h.sh(f"printf '%s\\n' '{line}' >> /etc/default/ovpn-mgmt-push")
                continue
            command = re.sub(r"\./ovpn-mgmt-push_\S+\.deb", f"./{os.path.basename(deb)}", step)
            outcomes[step] = h.run(["sh", "-c", f"cd /root && {command}"])
        return outcomes, started

    def _requests(self, after, from_agent):
        """POSTs since `after` from the daemon (from_agent) or from the old script, which sends
        no `agent' key."""
        with self.panel.lock:
            return [r for r in self.panel.requests
                    if r["arrived"] >= after and (b'"agent"' in r["body"]) == from_agent]

    def agent_posts(self, after=0.0):
        return [json.loads(r["body"]) for r in self._requests(after, True)]

    def first_agent_post_time(self, after):
        """When the daemon's first POST since `after` arrived, waiting up to 10 s for it."""
        wait_until(lambda: self._requests(after, True), 10, what="a POST from the daemon")
        return self._requests(after, True)[0]["arrived"]

    def script_posts(self, after=0.0):
        return self._requests(after, False)

    def client(self, cert_name, proto):
        """A real OpenVPN client of this machine in the server's network namespace."""
        stub = types.SimpleNamespace(proto=proto, listen="127.0.0.1", port=1194, name=proto, with_auth=False)
        return OpenVPNClient(self.procs, self.work, self.pki, stub, cert_name, wrap=self.host.net_wrap)

"""A fleet as operators run one: a signed apt repository built by tools/apt-repo.sh (a suite per
Debian release) and served over HTTP, booted Debian 12 and 13 servers with the old monitoring
deployed, and ansible-playbook reaching them over real SSH (the ProxyCommand runs each server's
own sshd in inetd mode)."""
import functools
import http.server
import os
import re
import signal
import subprocess
import threading
import time

from tests.booted.booted_host import root_tree
from tests.booted.deployments import Server
from tests.lib.harness import wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
ANSIBLE = os.path.realpath(os.path.join(ROOT, "deploy", "ansible"))
REPO_PORT = 8090  # inside each server's own network namespace
TOKEN = "fleet-vault-token-7f3a9c"


class SignedRepository:
    """An apt repository signed with a throwaway key, built and extended by tools/apt-repo.sh."""

    def __init__(self, work):
        self.dir = work.join("apt-repo")
        self.gnupghome = work.join("gnupg")
        os.makedirs(self.gnupghome, mode=0o700)
        env = self.env()
        subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                        "ovpn-mgmt-push test archive <archive@example.org>", "ed25519", "sign", "never"],
                       env=env, check=True, capture_output=True)
        listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], env=env, check=True,
                                 capture_output=True, text=True).stdout
        self.fingerprint = re.search(r"^fpr:+([0-9A-F]{40}):", listing, re.M).group(1)
        self.stanza = None

    def env(self):
        return {**os.environ, "GNUPGHOME": self.gnupghome}

    def publish(self, *debs):
        """Adds `debs` (each to its release's suite); returns what the script printed (the
        sources stanzas)."""
        env = {**self.env(), "APT_REPO_SIGNING_KEY": self.fingerprint, "APT_REPO_URI": self.uri()}
        done = subprocess.run([os.path.join(ROOT, "tools", "apt-repo.sh"), self.dir, *debs], env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"tools/apt-repo.sh failed:\n{done.stdout}{done.stderr}")
        self.stanza = done.stdout
        return done.stdout

    @staticmethod
    def uri():
        return f"http://127.0.0.1:{REPO_PORT}/"

    def public_key(self):
        with open(os.path.join(self.dir, "ovpn-mgmt-push.asc")) as f:
            return f.read()

    def serve_in(self, host):
        """A static web server of the repository, listening in `host`'s network namespace."""
        handler = functools.partial(QuietFiles, directory=self.dir)
        server = host.in_network(lambda: http.server.ThreadingHTTPServer(("127.0.0.1", REPO_PORT), handler))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class FleetServer(Server):
    """A booted server with the old monitoring, reachable by SSH with the test's key, whose only
    apt source will be ours (no Debian mirror is reachable from a test namespace)."""

    def __init__(self, procs, work, public_key, **kwargs):
        super().__init__(procs, work, **kwargs)
        self.host_name = kwargs["name"]
        self.host.write("/root/.ssh/authorized_keys", public_key, 0o600)
        os.chmod(self.host.path("/root/.ssh"), 0o700)
        self.host.write("/etc/apt/sources.list", "# no mirror is reachable from the test's namespace\n")
        self.repo_server = None

    def ssh_proxy(self):
        return f"nsenter -t {self.host.pid} -a /usr/sbin/sshd -i"

    def stop(self):
        if self.repo_server:
            self.repo_server.shutdown()
            self.repo_server.server_close()
        self._stop_ssh_proxies()
        super().stop()

    def _stop_ssh_proxies(self):
        """Ansible keeps its SSH connections open a while (ControlPersist), each through a
        ProxyCommand nsenter whose sshd lives in the host. At poweroff, systemd-shutdown stops
        every process of the host with SIGSTOP; nsenter then stops itself as its child did and,
        outside the host, is never continued: the sshd it never reaps keeps the host's init
        waiting, past nspawn's end. So the proxies go first, by pid."""
        if self.host.pid is None:
            return
        argv = self.ssh_proxy().split()
        for pid in proxy_pids(argv):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_until(lambda: not proxy_pids(argv), 10, what="the SSH proxies to end")


def proxy_pids(argv):
    """The processes running exactly `argv`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().split(b"\0")[:-1]
        except OSError:
            continue
        if [part.decode(errors="replace") for part in cmdline] == argv:
            found.append(int(entry))
    return found


class ControlNode:
    """Debian 13's Ansible (ansible-core 2.19) as the control node: ansible-playbook run from a
    Debian 13 tree, through chroot in a mount namespace of its own, on an overlay of the cached
    tree (nothing it writes stays). It shares this machine's pid namespace, so the inventory's
    ProxyCommand (nsenter into each host's sshd) works from it as from this machine; the test's
    folder and the repository's deploy/ansible are bound in at the same paths."""

    def __init__(self, release, work):
        self.tree = root_tree(release, apt_installs=("ansible-core",))
        self.release = release
        self.scratch = work.join("control-node")
        for d in ("upper", "work", "root"):
            os.makedirs(os.path.join(self.scratch, d), exist_ok=True)

    def wrap(self, argv, binds):
        """argv run in the control node, with `binds` (paths of this machine) bound in as they are."""
        root = os.path.join(self.scratch, "root")
        mounts = [f"mount -t overlay overlay -o lowerdir={self.tree},upperdir={self.scratch}/upper,"
                  f"workdir={self.scratch}/work {root}"]
        for fs in ("proc", "dev", "sys"):
            mounts.append(f"mount --rbind /{fs} {root}/{fs}")
        for path in binds:
            mounts.append(f"mkdir -p {root}{path} && mount --bind {path} {root}{path}")
        script = " && ".join(mounts) + f' && exec chroot {root} "$@"'
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "control-node", *argv]


class Fleet:
    """The servers, the repository, the SSH key, the vault and the inventory of one test.
    `hosts` is a (variant of the old monitoring, Debian release) pair per server."""

    def __init__(self, procs, work, hosts):
        self.work = work
        self.key = work.join("id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.key], check=True)
        with open(self.key + ".pub") as f:
            public_key = f.read()
        self.repo = SignedRepository(work)
        self.servers = [FleetServer(procs, work, public_key, variant=variant, release=release, name=f"fleet{i + 1}",
                                    server_id=str(11 + i)) for i, (variant, release) in enumerate(hosts)]
        self.vault_password = work.join("vault-password")
        with open(self.vault_password, "w") as f:
            f.write("test-vault-password\n")

    def releases(self):
        return list(dict.fromkeys(s.release for s in self.servers))

    def builds(self, newer=False):
        """The package of each release in the fleet (or the newer build of each)."""
        return [r.debs()[1 if newer else 0] for r in self.releases()]

    def boot(self):
        self.repo.publish(*self.builds())
        for s in self.servers:
            s.boot()
            s.repo_server = self.repo.serve_in(s.host)
        self._write_vault()
        self._write_inventory()
        return self

    def stop(self):
        for s in self.servers:
            s.stop()

    def _write_vault(self):
        """The token as operators keep it: encrypted with ansible-vault."""
        done = subprocess.run(["ansible-vault", "encrypt_string", "--vault-password-file", self.vault_password,
                               "--name", "ovpn_mgmt_push_panel_token", TOKEN], capture_output=True, text=True,
                              check=True, env=self.ansible_env())
        self.vault = self.work.join("vault.yml")
        with open(self.vault, "w") as f:
            f.write(done.stdout)

    def _write_inventory(self):
        key_lines = "".join(f"      {line}\n" for line in self.repo.public_key().strip().splitlines())
        hosts = ""
        for s in self.servers:
            hosts += (f"    {s.host_name}:\n"
                      f"      ovpn_mgmt_push_server_id: \"{s.server_id}\"\n"
                      f"      ansible_ssh_common_args: >-\n"
                      f"        -o ProxyCommand=\"{s.ssh_proxy()}\"\n"
                      f"        -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null\n")
        self.inventory = self.work.join("inventory.yml")
        with open(self.inventory, "w") as f:
            f.write("ovpn_servers:\n  hosts:\n" + hosts +
                    "  vars:\n"
                    "    ansible_user: root\n"
                    f"    ansible_ssh_private_key_file: {self.key}\n"
                    "    ansible_python_interpreter: /usr/bin/python3\n"
                    f"    ovpn_mgmt_push_apt_uri: {self.repo.uri()}\n"
                    "    ovpn_mgmt_push_panel_url: http://127.0.0.1:8080\n"
                    "    ovpn_mgmt_push_apt_key: |\n" + key_lines)

    def ansible_env(self):
        return {**os.environ, "ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_LOCAL_TEMP": self.work.join("ansible-tmp"),
                "ANSIBLE_SSH_CONTROL_PATH_DIR": self.work.join("cp"), "ANSIBLE_FORCE_COLOR": "0"}

    def play(self, *extra, control=None):
        """ansible-playbook site.yml, verbose (-v: the token must not show even then), from this
        machine or from `control` (a ControlNode). Returns (exit status, output, {host: recap
        counts}, seconds)."""
        started = time.monotonic()
        argv = ["ansible-playbook", "-v", "-i", self.inventory, "-e", f"@{self.vault}",
                "--vault-password-file", self.vault_password, *extra, os.path.join(ANSIBLE, "site.yml")]
        if control:
            argv = control.wrap(argv, binds=[self.work.path, os.path.realpath(ANSIBLE)])
        done = subprocess.run(argv, capture_output=True, text=True, env=self.ansible_env(), timeout=900)
        took = time.monotonic() - started
        output = done.stdout + done.stderr
        recap = {}
        for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M):
            recap[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counts)}
        return done.returncode, output, recap, took

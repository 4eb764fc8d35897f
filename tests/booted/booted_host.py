"""A booted Debian server for tests (Debian 12 or 13, tests/booted/releases.py): systemd as
PID 1 under systemd-nspawn, in a network namespace of its own, with OpenVPN from Debian, apt and
dpkg, as operators have it.

The root tree of each release is made once with debootstrap from the Debian mirror this
machine's apt already uses, and cached (OMP_ROOTFS_CACHE, default
/var/cache/ovpn-mgmt-push-tests); each host boots a copy of its own, removed when the host
stops. The nspawn process is started and stopped by pid (poweroff through SIGTERM, then
SIGKILL), also when a test fails.

Inside the host's network namespace every port is its own: a host may use OpenVPN's usual
7505/7506 and 1194 without colliding with anything on this machine or another host.
"""
import ctypes
import fcntl
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading

from tests.booted.releases import under_test

from tests.lib.harness import own_cgroup2_dir, Processes, read_text, remove_cgroup_tree, wait_until

# What a small Debian server with OpenVPN has, plus what the tests speak to it with: python3
# and openssh-server for Ansible, curl for the old timer script; and the libraries of the
# package under the release's own names.
PACKAGES = ["systemd", "systemd-sysv", "dbus", "openvpn", "procps", "iproute2",
            "python3",
            "openssh-server", "curl",
            # what Ansible needs on a managed host: its apt module uses python3-apt
            "python3-apt"]
CACHE = os.environ.get("OMP_ROOTFS_CACHE", "/var/cache/ovpn-mgmt-push-tests")
HOST_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
            "DEBIAN_FRONTEND": "noninteractive", "TERM": "dumb", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def debian_mirror():
    """The mirror apt uses here for Debian's main component, as apt itself reports it (one
    archive serves every release): the first source whose release line says o=Debian."""
    policy = subprocess.run(["apt-cache", "policy"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^\s+\d+ (\S+) [a-z]+/main \S+ Packages\n\s+release [^\n]*o=Debian,", policy, re.M)
    if not match:
        raise AssertionError("apt knows no Debian mirror for main (run apt-get update)")
    return match.group(1)


def root_tree(release, apt_installs=()):
    """The cached tree of `release`, made by debootstrap on first use (under a lock, so two runs
    at once make it once), with `apt_installs` added by apt (packages that debootstrap cannot
    resolve: those depending on a virtual package). Its name carries a hash of what is in it:
    a new list, a new tree."""
    packages = [*PACKAGES, *release.libraries]
    contents = [release.suite, release.openvpn_from, *packages, *(["+", *apt_installs] if apt_installs else [])]
    key = hashlib.sha256(" ".join(contents).encode()).hexdigest()[:12]
    tree = os.path.join(CACHE, f"{release.suite}{'-' + release.openvpn_from if release.openvpn_from else ''}-{key}")
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(tree, ".complete")):
            return tree
        partial = tree + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        log = tree + ".debootstrap.log"
        mirror = debian_mirror()
        with open(log, "w") as out:
            done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(packages)}", release.suite,
                                   partial, mirror], stdout=out, stderr=subprocess.STDOUT)
            if done.returncode == 0 and release.openvpn_from:
                # OpenVPN from another suite of the same archive (backports); the suite's list
                # stays, as on a server that uses backports.
                with open(os.path.join(partial, f"etc/apt/sources.list.d/{release.openvpn_from}.list"), "w") as f:
                    f.write(f"deb {mirror} {release.openvpn_from} main\n")
                done = _apt_install(partial, ["-t", release.openvpn_from, "openvpn"], out)
            if done.returncode == 0 and apt_installs:
                done = _apt_install(partial, list(apt_installs), out)
        if done.returncode != 0:
            raise AssertionError(f"making the {release.name} tree failed:\n{read_text(log)[-3000:]}")
        _prepare_tree(partial)
        open(os.path.join(partial, ".complete"), "w").close()
        os.rename(partial, tree)
        return tree


def _apt_install(root, arguments, out):
    """apt-get install ARGUMENTS in the tree, under nspawn with this machine's network."""
    return subprocess.run(["systemd-nspawn", "--quiet", "--keep-unit", "--register=no", "-D", root, "sh", "-c",
                           f"apt-get update -qq && apt-get install -y -qq {' '.join(arguments)} && apt-get clean"],
                          stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **HOST_ENV})


def _prepare_tree(root):
    """What every booted test host needs before its first boot."""
    # Services the tests do not want at boot: getty on the console, OpenVPN's legacy umbrella unit.
    for unit in ("console-getty.service", "getty@tty1.service"):
        subprocess.run(["systemctl", f"--root={root}", "mask", unit], check=True, capture_output=True)
    # apt in the host installs local .deb files only; no list of a mirror is needed or fetched.
    with open(os.path.join(root, "etc/apt/apt.conf.d/99omp-test"), "w") as f:
        f.write('APT::Install-Recommends "false";\nAcquire::Languages "none";\n')


class BootedHost:
    """One booted copy of the tree. `run` executes a command inside it (all its namespaces);
    `net_wrap` puts a process of this machine into the host's network namespace only (a
    client); `in_network` does that for sockets of this process (a panel); `path` is a file of
    the host as this machine sees it."""

    def __init__(self, procs, name="omp", release=None):
        self.procs = procs
        self.release = release or under_test()
        self.dir = tempfile.mkdtemp(prefix=f"omp-booted-{name}-", dir="/var/tmp")
        self.root = os.path.join(self.dir, "root")
        subprocess.run(["cp", "-a", "--reflink=auto", root_tree(self.release), self.root], check=True)
        with open(self.path("/etc/hostname"), "w") as f:
            f.write(name + "\n")
        self.log = os.path.join(self.dir, "console.log")
        self.nspawn = None
        self.pid = None  # the host's systemd, as this machine sees it
        # The host's cgroup tree, its own. With no systemd here to give nspawn a scope, every
        # nspawn would share this process's cgroup, and two hosts' systemd would create, kill
        # and remove the same /system.slice/UNIT.service: a restart on one host failed on the
        # other with "Failed to attach to cgroup ...: No such file or directory" (219/CGROUP).
        self.cgroup = os.path.join(own_cgroup2_dir(), os.path.basename(self.dir))
        # The host's network namespace, named so that it outlives a reboot of the host: a
        # panel listening there and clients running there stay through it.
        self.netns = None
        self.binds = []  # more --bind=SOURCE:TARGET of this machine's directories

    def path(self, inside):
        return os.path.join(self.root, inside.lstrip("/"))

    def write(self, inside, text, mode=0o644):
        path = self.path(inside)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return inside

    def copy_in(self, source, inside):
        os.makedirs(os.path.dirname(self.path(inside)), exist_ok=True)
        shutil.copy(source, self.path(inside))
        return inside

    def boot(self, timeout=90):
        if self.netns is None:
            name = f"omp-{os.path.basename(self.dir)}"
            subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
            self.netns = f"/run/netns/{name}"
            subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, capture_output=True)
        os.makedirs(self.cgroup, exist_ok=True)  # after a reboot, it may not have been removed
        procs_file = os.path.join(self.cgroup, "cgroup.procs")

        def enter_own_cgroup():  # in the child, before exec: nspawn and the host start there
            fd = os.open(procs_file, os.O_WRONLY)
            os.write(fd, b"0")
            os.close(fd)

        # The unified hierarchy alone, as Debian 12 and 13 boot (also where this machine is hybrid).
        env = dict(os.environ, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY="1")
        self.nspawn = self.procs.start(
            ["systemd-nspawn", "--keep-unit", "--register=no", "--quiet", "-D", self.root, "-b",
             # CAP_NET_ADMIN, as --private-network grants it: the namespace is the host's own.
             f"--network-namespace-path={self.netns}", "--capability=CAP_NET_ADMIN", "--bind=/dev/net/tun",
             *[f"--bind={b}" for b in self.binds],
             f"--machine={re.sub('[^a-z0-9-]', 'x', os.path.basename(self.dir).lower())[:60]}"],
            log_path=self.log, preexec_fn=enter_own_cgroup, env=env)
        self.pid = wait_until(self._init_pid, 30, what="the host's systemd")
        self._check_own_cgroup()
        state = wait_until(self._system_state, timeout, interval=0.2, what="the host to finish booting")
        if state not in ("running", "degraded"):
            raise AssertionError(f"host did not boot: {state}\n{read_text(self.log)[-3000:]}")
        return self

    def _init_pid(self):
        """The host's systemd: the child of nspawn in a pid namespace of its own. (nspawn first
        forks a helper that stays in ours for a moment: that one is not it.)"""
        if self.nspawn.poll() is not None:
            raise AssertionError(f"systemd-nspawn exited:\n{read_text(self.log)[-3000:]}")
        try:
            with open(f"/proc/{self.nspawn.pid}/task/{self.nspawn.pid}/children") as f:
                children = [int(c) for c in f.read().split()]
            ours = os.readlink(f"/proc/{self.nspawn.pid}/ns/pid")
        except (FileNotFoundError, ProcessLookupError):
            return None
        for child in children:
            try:
                if os.readlink(f"/proc/{child}/ns/pid") != ours:
                    return child
            except OSError:
                continue
        return None

    def _check_own_cgroup(self):
        with open(f"/proc/{self.pid}/cgroup") as f:
            where = f.read().strip().splitlines()[-1].split("::", 1)[-1]
        if os.path.basename(self.dir) not in where.split("/"):
            raise AssertionError(f"the host's systemd is in cgroup {where}, not in its own {self.cgroup}")

    def _system_state(self):
        done = self.run(["systemctl", "is-system-running"], check=False, timeout=10)
        state = done.stdout.strip()
        return state if state in ("running", "degraded", "maintenance", "stopping") else None

    def run(self, argv, check=True, timeout=120, input=None):
        """A command inside the host, as root there; stdout and stderr captured as text."""
        done = subprocess.run(["nsenter", "-t", str(self.pid), "-a", "--", *argv], capture_output=True, text=True,
                              timeout=timeout, input=input, env=HOST_ENV, stdin=None if input else subprocess.DEVNULL)
        if check and done.returncode != 0:
            raise AssertionError(f"`{' '.join(argv)}' in the host exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done

    def sh(self, script, check=True, timeout=120):
        return self.run(["sh", "-c", script], check=check, timeout=timeout)

    def show(self, unit, *properties):
        """`systemctl show UNIT -p ...` as a dict."""
        out = self.run(["systemctl", "show", unit, *[f"--property={p}" for p in properties]]).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def journal(self, unit):
        return self.run(["journalctl", "--no-pager", "-o", "cat", "-u", unit], check=False).stdout

    def net_wrap(self, argv):
        """argv run in the host's network namespace, with this machine's files."""
        return ["nsenter", f"--net={self.netns}", "--", *argv]

    def in_network(self, make):
        """Calls `make()` in a thread that has joined the host's network namespace, so that the
        sockets it creates (a stand-in panel's listener) live there; the rest of this process
        stays where it is."""
        result = {}

        def body():
            fd = os.open(self.netns, os.O_RDONLY)
            try:
                if _libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns into the host's network namespace")
            finally:
                os.close(fd)
            result["value"] = make()

        thread = threading.Thread(target=body)
        thread.start()
        thread.join()
        if "value" not in result:
            raise AssertionError("could not create the object in the host's network namespace")
        return result["value"]

    def reboot(self, timeout=90):
        """`systemctl reboot` in the host: its systemd shuts down, nspawn exits (as it does on a
        reboot) and the same tree boots again, in the same network namespace."""
        self.run(["systemctl", "reboot"], check=False)
        try:
            self.nspawn.wait(60)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the host did not shut down for its reboot:\n{read_text(self.log)[-3000:]}")
        remove_cgroup_tree(self.cgroup)
        return self.boot(timeout)

    def stop(self):
        """Power off (nspawn turns SIGTERM into an orderly shutdown), SIGKILL after 30 s, and
        remove the copy of the tree and the network namespace."""
        if self.nspawn is not None and self.nspawn.poll() is None:
            Processes.stop(self.nspawn, signal.SIGTERM, timeout=30)
        remove_cgroup_tree(self.cgroup)
        if self.netns:
            subprocess.run(["ip", "netns", "delete", os.path.basename(self.netns)], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

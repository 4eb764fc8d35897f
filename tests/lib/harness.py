"""Real parts for end-to-end tests: a PKI, OpenVPN servers and clients, the aggregator, and
a local HTTP server standing in for the panel.

Every process started here is registered and stopped by pid (SIGTERM, then SIGKILL) when
the test that owns it ends, also when it fails. Every port is on loopback and chosen free
at run time, so two runs can share a machine.
"""
import gzip
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.environ.get("OMP_BIN", os.path.join(HERE, "../../build/pusher/ovpn-mgmt-push"))
PLUGIN = os.environ.get("OMP_PLUGIN", os.path.join(HERE, "../../build/plugin/openvpn-plugin-mgmt-push.so"))
OPENVPN = shutil.which("openvpn") or "/usr/sbin/openvpn"
# Set by the sanitizer build: memory figures then include ASan's shadow and quarantine.
SANITIZED = bool(os.environ.get("OMP_OPENVPN_PRELOAD"))


def wait_until(predicate, timeout, interval=0.02, what="condition"):
    """Polls `predicate` until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def read_text(path):
    """A log file's text so far ("" before the process has created it)."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def free_port(kind=socket.SOCK_STREAM):
    """A port the kernel just handed out on 127.0.0.1, free for TCP and UDP alike."""
    while True:
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        other = socket.SOCK_DGRAM if kind == socket.SOCK_STREAM else socket.SOCK_STREAM
        try:
            with socket.socket(socket.AF_INET, other) as s:
                s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue


def accepts_connections(port):
    """Whether something listens on 127.0.0.1:`port` now."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def proc_cpu_seconds(pid):
    """CPU seconds (user + system) a running process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_for_cpu(proc, sig):
    """Stops `proc` with `sig`, reaps it, and returns the CPU seconds it and the children it
    reaped used (wait4); 0 when it was gone already."""
    if proc.poll() is not None:
        return 0.0
    os.kill(proc.pid, sig)
    try:
        _, _, usage = os.wait4(proc.pid, 0)
    except ChildProcessError:
        return 0.0
    proc.returncode = 0
    return usage.ru_utime + usage.ru_stime


class Processes:
    """Owns child processes; stop_all() ends each by pid."""

    def __init__(self):
        self.children = []

    def start(self, argv, log_path=None, **kwargs):
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT if log_path else subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, **kwargs)
        if log_path:
            out.close()
        self.children.append(proc)
        return proc

    @staticmethod
    def stop(proc, sig=signal.SIGTERM, timeout=5):
        if proc.poll() is not None:
            return proc.returncode
        try:
            os.kill(proc.pid, sig)
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            return proc.wait(timeout)
        except ProcessLookupError:
            return proc.wait(timeout)

    def stop_all(self):
        for proc in reversed(self.children):
            self.stop(proc)
        self.children.clear()


class Pki:
    """A throw-away CA with a server certificate; client certificates on demand."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self._openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-keyout", self.path("ca.key"), "-out", self.path("ca.crt"),
                      "-days", "2", "-subj", "/CN=omp-test-ca")
        self._issue("server", "serverAuth")

    def path(self, name):
        return os.path.join(self.dir, name)

    def _openssl(self, *args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _issue(self, name, usage):
        ext = self.path(f"{name}.ext")
        with open(ext, "w") as f:
            f.write(f"extendedKeyUsage={usage}\n")
        self._openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                      "-keyout", self.path(f"{name}.key"), "-out", self.path(f"{name}.csr"),
                      "-subj", f"/CN={name}")
        self._openssl("x509", "-req", "-in", self.path(f"{name}.csr"), "-CA", self.path("ca.crt"),
                      "-CAkey", self.path("ca.key"), "-CAcreateserial", "-days", "2",
                      "-out", self.path(f"{name}.crt"), "-extfile", ext)
        os.chmod(self.path(f"{name}.key"), 0o644)  # readable after OpenVPN drops privileges

    def client(self, name):
        if not os.path.exists(self.path(f"{name}.crt")):
            self._issue(name, "clientAuth")
        return self.path(f"{name}.crt"), self.path(f"{name}.key")


class Workdir:
    """A temporary directory that the unprivileged OpenVPN user can traverse."""

    def __init__(self, prefix="omp-e2e-"):
        self.path = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.path, 0o755)

    def join(self, *parts):
        return os.path.join(self.path, *parts)

    def remove(self):
        shutil.rmtree(self.path, ignore_errors=True)


# 10.N.0.0/24 pools for the servers a test process starts, one each: no module picks them by
# hand. Servers outside a namespace run with ifconfig-noexec, so a pool touches no route and
# two test processes may hand out the same N.
_subnet_octets = itertools.count(110)


def next_subnet_octet():
    octet = next(_subnet_octets)
    if octet > 199:
        raise AssertionError("more than 90 servers in one test process")
    return octet


class OpenVPNServer:
    """A real OpenVPN server loading the real plugin. Its tun device is left unconfigured
    (ifconfig-noexec), so parallel runs never fight over host addresses or routes."""

    def __init__(self, procs, work, pki, name, proto, *, event_socket, subnet_octet=None,
                 mgmt_password=None, drop_privileges=False, plugin_args=None, with_auth=True, extra="",
                 netns=None, listen="127.0.0.1", journal=None):
        self.procs, self.work, self.pki, self.name, self.proto = procs, work, pki, name, proto
        self.subnet_octet = subnet_octet = subnet_octet or next_subnet_octet()
        # Logging to a PrivateJournal, as the unit openvpn-server@NAME, instead of a file.
        self.journal = journal
        self.unit = f"openvpn-server@{name}.service"
        self.with_auth = with_auth
        # In a network namespace of the test's own the tun device is configured for real
        # (traffic can flow) and management is a unix socket the host side can reach.
        self.netns = netns
        self.listen = listen
        self.port = free_port(socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
        self.mgmt_port = free_port()
        self.mgmt_socket = work.join(f"mgmt-{name}.sock") if netns else None
        self.log = work.join(f"server-{name}.log")
        self.conf = work.join(f"server-{name}.conf")
        self.mgmt_password = mgmt_password
        mgmt_pw_line = ""
        if mgmt_password:
            pw_file = work.join(f"mgmt-{name}.pw")
            with open(pw_file, "w") as f:
                f.write(mgmt_password + "\n")
            os.chmod(pw_file, 0o600)
            self.mgmt_password_file = pw_file
            mgmt_pw_line = f" {pw_file}"
        tmp_dir = work.join("tmp")  # auth-user-pass-verify files, written as `nobody' too
        os.makedirs(tmp_dir, exist_ok=True)
        os.chmod(tmp_dir, 0o1777)
        args = plugin_args if plugin_args is not None else f"instance={name} socket={event_socket}"
        privileges = "user nobody\ngroup nogroup\n" if drop_privileges else ""
        # Written again with fresh ports when one was taken between free_port() and bind.
        self.write_conf = lambda: self._write_conf(pki, subnet_octet, tmp_dir, mgmt_pw_line, args, privileges, extra)
        self.write_conf()

    def _write_conf(self, pki, subnet_octet, tmp_dir, mgmt_pw_line, args, privileges, extra):
        netns, listen, proto = self.netns, self.listen, self.proto
        with open(self.conf, "w") as f:
            f.write(f"""dev tun
topology subnet
server 10.{subnet_octet}.0.0 255.255.255.0
proto {'udp4' if proto == 'udp' else 'tcp4-server'}
local {listen}
port {self.port}
ca {pki.path('ca.crt')}
cert {pki.path('server.crt')}
key {pki.path('server.key')}
dh none
{"" if netns else "ifconfig-noexec" + chr(10) + "route-noexec"}
{f"management {self.mgmt_socket} unix" if netns else f"management 127.0.0.1 {self.mgmt_port}"}{mgmt_pw_line}
plugin {PLUGIN} {args}
{"script-security 2" + chr(10) + "auth-user-pass-verify /bin/true via-file" if self.with_auth else ""}
tmp-dir {tmp_dir}
duplicate-cn
keepalive 2 20
persist-key
persist-tun
verb 3
{privileges}{extra}
""")

    def start(self, wait=True):
        # free_port() hands out a port that is free now; a client's ephemeral port may take it
        # before OpenVPN binds (tests run side by side). Then take new ports and start again.
        for _ in range(3):
            self._start_once(wait)
            if not wait or self.proc.poll() is None or "Address already in use" not in self.read_log():
                break
            self.procs.stop(self.proc)
            if not self.journal:
                open(self.log, "w").close()  # the next attempt's log alone
            self.port = free_port(socket.SOCK_DGRAM if self.proto == "udp" else socket.SOCK_STREAM)
            self.mgmt_port = free_port()
            self.write_conf()
        if wait and self.proc.poll() is not None:
            raise AssertionError(f"server {self.name} exited:\n{self.read_log()}")
        return self

    def _start_once(self, wait):
        env = dict(os.environ)
        if os.environ.get("OMP_OPENVPN_PRELOAD"):
            # A sanitizer-built plugin needs its runtime loaded first into OpenVPN.
            env["LD_PRELOAD"] = os.environ["OMP_OPENVPN_PRELOAD"]
            env["ASAN_OPTIONS"] = "detect_leaks=0"  # OpenVPN's own exit-time allocations
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        argv = [*prefix, OPENVPN, "--config", self.conf]
        if self.journal:
            # stdout to the journal, as systemd does for openvpn-server@.service
            argv = self.journal.wrap(["systemd-cat", "-t", "openvpn", *argv], unit=self.unit)
        self.proc = self.procs.start(argv, log_path=self.log, env=env)
        if wait:
            wait_until(lambda: "Initialization Sequence Completed" in self.read_log() or self.proc.poll() is not None,
                       20, what=f"server {self.name} to start")

    def read_log(self):
        return self.journal.read(self.unit) if self.journal else read_text(self.log)

    @property
    def mgmt_address(self):
        return f"unix:{self.mgmt_socket}" if self.netns else f"127.0.0.1:{self.mgmt_port}"

    def management(self, command):
        """Speaks to the management interface directly: the test's own view of the server."""
        with socket.create_connection(("127.0.0.1", self.mgmt_port), timeout=5) as s:
            f = s.makefile("rwb")
            if self.mgmt_password:
                prompt = s.recv(64)
                assert b"PASSWORD" in prompt, prompt
                f.write(self.mgmt_password.encode() + b"\n")
                f.flush()
            f.write(command.encode() + b"\n")
            f.flush()
            lines = []
            for raw in f:
                line = raw.decode(errors="replace").rstrip("\r\n")
                if line.startswith(">") or line.startswith("SUCCESS: password"):
                    continue
                if line == "END" or line.startswith("SUCCESS:") or line.startswith("ERROR:"):
                    lines.append(line)
                    break
                lines.append(line)
            f.write(b"quit\n")
            f.flush()
            return lines

    def client_rows(self):
        """CLIENT_LIST rows of `status 3` as dicts keyed by the HEADER's column names."""
        lines = self.management("status 3")
        header = next(l.split("\t")[2:] for l in lines if l.startswith("HEADER\tCLIENT_LIST"))
        return [dict(zip(header, l.split("\t")[1:])) for l in lines if l.startswith("CLIENT_LIST\t")]


def own_setting(holder, add_cleanup, prefix="omp-e2e-", servers=False):
    """What a test class (in setUpClass) or a test (in setUp) starts from: its processes, a
    work directory and a stand-in panel on `holder`, each undone by `add_cleanup`; with
    `servers`, also a PKI and the path of the event socket its OpenVPN servers send to."""
    holder.procs = Processes()
    add_cleanup(holder.procs.stop_all)
    holder.work = Workdir(prefix=prefix)
    add_cleanup(holder.work.remove)
    holder.panel = PanelStandIn()
    add_cleanup(holder.panel.close)
    if servers:
        holder.pki = Pki(holder.work.join("pki"))
        holder.socket = holder.work.join("run", "events.sock")


class OwnPanel(unittest.TestCase):
    """For tests that start their own daemons without OpenVPN: per test, a work directory, a
    stand-in panel, and the processes it starts, stopped by pid when the test ends."""

    def setUp(self):
        own_setting(self, self.addCleanup)

    def refused_at_start(self, *args):
        """What a daemon of one source and this panel says when it must refuse `args` at start,
        as a usage error (exit status 2)."""
        code, _, err = run_binary("run", "--config", "/dev/null", "--mgmt", "udp=127.0.0.1:1", "--url",
                                  self.panel.url(), *args)
        self.assertEqual(code, 2, err)
        return err


def start_two_servers(setting, extra=""):
    """Two real OpenVPN servers of a setting (own_setting with servers) loading the plugin with
    its event socket: UDP, dropping privileges to nobody as the fleet runs it, and TCP."""
    setting.udp = OpenVPNServer(setting.procs, setting.work, setting.pki, "udp", "udp", event_socket=setting.socket,
                                drop_privileges=True, extra=extra).start()
    setting.tcp = OpenVPNServer(setting.procs, setting.work, setting.pki, "tcp", "tcp", event_socket=setting.socket,
                                extra=extra).start()


def new_client(setting, server, cert_name, **kwargs):
    """A real client (not started yet) of one of the setting's servers, with its PKI."""
    return OpenVPNClient(setting.procs, setting.work, setting.pki, server, cert_name, **kwargs)


class RealClients(unittest.TestCase):
    """A test class whose setting (own_setting with servers) has OpenVPN servers: the one way
    its tests start clients of them."""

    def client(self, server, cert_name, *, start=True, stop_at_end=False, **kwargs):
        """A real client of `server`: started unless `start` is False; with `stop_at_end`,
        stopped when the test ends (otherwise by the class's cleanups)."""
        c = new_client(self, server, cert_name, **kwargs)
        if stop_at_end:
            self.addCleanup(c.stop)
        return c.start() if start else c

    def record_of(self, common_name, timeout=20):
        """The session record the panel got for a session that ended."""
        return self.panel.wait_for_record(common_name, timeout)


class TwoServers(RealClients):
    """What most end-to-end test classes share: a work directory, a PKI, a stand-in panel, and
    the two servers of start_two_servers. Subclasses start their daemons in their own
    setUpClass, after this one's; the class cleanups stop everything by pid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        own_setting(cls, cls.addClassCleanup, servers=True)
        start_two_servers(cls)


class OpenVPNClient:
    """A real OpenVPN client with `dev null`: no tun device, no host changes."""

    def __init__(self, procs, work, pki, server, cert_name, username=None, extra="", netns=None, wrap=None):
        self.procs, self.server, self.cert_name = procs, server, cert_name
        self.netns = netns  # in a namespace of its own: a real tun device there
        # Or joined to another network namespace by `wrap` (argv in, argv out), still `dev null'.
        self.wrap = wrap or (lambda argv: argv)
        self.username = username
        tag = f"{cert_name}-{username or 'nouser'}-{server.name}-{free_port()}"
        self.log = work.join(f"client-{tag}.log")
        self.conf = work.join(f"client-{tag}.conf")
        crt, key = pki.client(cert_name)
        auth = ""
        if server.with_auth:  # the server's verify script accepts any password
            creds = work.join(f"client-{tag}.auth")
            with open(creds, "w") as f:
                f.write(f"{username or cert_name}\nsecret\n")
            auth = f"auth-user-pass {creds}\n"
        exit_notify = "explicit-exit-notify 1\n" if server.proto == "udp" else ""
        device = "dev tun\n" if self.netns else ("dev null\npull-filter ignore ifconfig\n"
                                                 "pull-filter ignore route\n")
        with open(self.conf, "w") as f:
            f.write(f"""client
{device}proto {'udp4' if server.proto == 'udp' else 'tcp4-client'}
remote {server.listen} {server.port}
nobind
ca {pki.path('ca.crt')}
cert {crt}
key {key}
{auth}pull-filter ignore tun-mtu
connect-retry 1
verb 3
{exit_notify}{extra}
""")

    def start(self, wait=True, timeout=20):
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        self.proc = self.procs.start(self.wrap([*prefix, OPENVPN, "--config", self.conf]), log_path=self.log)
        if wait:
            self.wait_connected(timeout)
        return self

    def wait_connected(self, timeout=20):
        wait_until(lambda: "Initialization Sequence Completed" in self.read_log(), timeout,
                   what=f"client {self.cert_name} to connect to {self.server.name}")

    def read_log(self):
        return read_text(self.log)

    def stop(self):
        Processes.stop(self.proc)

    def kill_hard(self):
        """Gone without a word (SIGKILL): no exit notification; the kernel closes its socket."""
        os.kill(self.proc.pid, signal.SIGKILL)
        return self


class PanelStandIn:
    """A real HTTP server on loopback that records every POST, as the panel would see it.
    Its answer can be changed while it runs: status, a delay, the body; with `tls` (a
    (cert, key) pair) it speaks HTTPS. It decodes `Content-Encoding: gzip` bodies, or, with
    `refuse_gzip`, answers them 415 as a panel that cannot decode them does (RFC 7694)."""

    def __init__(self, status=200, on_request=None, port=0, tls=None, refuse_gzip=False):
        self.status = status
        self.refuse_gzip = refuse_gzip
        self.delay = 0.0
        self.body = b"{}"
        self.on_request = on_request
        self.requests = []
        self._parsed = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        panel = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY the body would wait
            # for the client's delayed ACK (40 ms) and every POST would look that slow.
            disable_nagle_algorithm = True

            def do_POST(self):
                arrived = time.time()
                length = int(self.headers.get("Content-Length", "0"))
                body = wire = self.rfile.read(length)
                encoding = self.headers.get("Content-Encoding", "identity").lower()
                with panel.cond:
                    status, delay, answer = panel.status, panel.delay, panel.body
                    if encoding == "gzip" and panel.refuse_gzip:
                        status, answer = 415, b'{"error":"unsupported content encoding"}'
                if encoding == "gzip":  # a refused body is one the panel never read
                    body = gzip.decompress(wire) if status != 415 else None
                if delay:
                    time.sleep(delay)
                with panel.cond:
                    panel.requests.append({"arrived": arrived, "path": self.path, "status": status,
                                           "headers": dict(self.headers), "body": body,
                                           "encoding": encoding, "wire": wire, "wire_length": len(wire)})
                    panel.cond.notify_all()
                if panel.on_request:
                    panel.on_request(arrived, body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the client gave up (timeout): nothing to answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        if tls:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def set(self, status=None, delay=None, body=None):
        with self.lock:
            if status is not None:
                self.status = status
            if delay is not None:
                self.delay = delay
            if body is not None:
                self.body = body

    def accepted(self):
        """Bodies of the POSTs answered 2xx, parsed."""
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests if 200 <= r["status"] < 300 and r["body"] is not None]

    def answered(self):
        """(status, encoding, bytes on the wire) of every POST so far, in order."""
        with self.lock:
            return [(r["status"], r["encoding"], r["wire_length"]) for r in self.requests]

    def url(self, path="/api/servers/test/events"):
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def payloads(self):
        """Every body so far, parsed once each and outside the lock, so a test polling for a
        payload never holds up the server thread that is answering the daemon."""
        with self.lock:
            fresh = self.requests[len(self._parsed):]
        self._parsed.extend(json.loads(r["body"]) if r["body"] is not None else {} for r in fresh)
        return list(self._parsed)

    def count(self):
        with self.lock:
            return len(self.requests)

    def wait_for_payload(self, predicate, timeout, after=0, what="a matching payload"):
        """The first payload, among those from index `after` on, that satisfies `predicate`."""
        def find():
            for p in self.payloads()[after:]:
                if predicate(p):
                    return p
            return None
        return wait_until(find, timeout, what=what)

    def wait_for_record(self, common_name, timeout=20):
        """The session record of `common_name` from the first accepted POST that carries it."""
        def find():
            for p in self.accepted():
                for r in p.get("sessions_ended", []):  # the old script's POSTs have none
                    if r["common_name"] == common_name:
                        return r
            return None
        return wait_until(find, timeout, what=f"the session record of {common_name}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Aggregator:
    """The real ovpn-mgmt-push binary."""

    def __init__(self, procs, work, args, env=None, wrap=None):
        self.procs, self.work = procs, work
        self.wrap = wrap or (lambda argv: argv)  # e.g. PrivateJournal.wrap: run in its namespace
        # Session records go to the test's own directory, never the machine's /var/lib.
        self.state_dir = work.join("state")
        self.args = args if "--state-dir" in args else [*args, "--state-dir", self.state_dir]
        self.env = dict(os.environ if env is None else env)
        self.log = work.join("daemon.log")

    def start(self, event_socket=None):
        # Never the machine's /etc/default/ovpn-mgmt-push, unless a test gives its own file.
        config = [] if "--config" in self.args else ["--config", "/dev/null"]
        self.proc = self.procs.start(self.wrap([BINARY, "run", *config, *self.args]),
                                     log_path=self.log, env=self.env)
        if event_socket:
            wait_until(lambda: os.path.exists(event_socket) or self.proc.poll() is not None, 10,
                       what="the event socket")
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited:\n{self.read_log()}")
        return self

    def read_log(self):
        return read_text(self.log)

    def stop(self, sig=signal.SIGTERM):
        return Processes.stop(self.proc, sig)


def run_binary(*args, env=None, timeout=30):
    """Runs a one-shot subcommand; returns (exit status, stdout, stderr)."""
    proc = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ if env is None else env), stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def users_by_name(payload):
    return {u["username"]: u for u in payload["users"]}


class Management:
    """One management session, raw: the bytes as they come, lines ending in \\r\\n."""

    def __init__(self, address=None, password=None, timeout=5, sock=None):
        if sock is not None:  # connected already (in another network namespace, say)
            self.sock = sock
            self.sock.settimeout(timeout)
        elif address.startswith("unix:"):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(address[5:])
        else:
            host, port = address.rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.buffer = b""
        if password is not None:
            self.read_until(lambda b: b.endswith(b"ENTER PASSWORD:"))
            self.buffer = b""
            self.sock.sendall(password.encode() + b"\n")
            answer = self.read_line()
            if not answer.startswith(b"SUCCESS:"):
                self.sock.close()
                raise PermissionError(answer)
        self.greeting = self.read_line()

    def read_until(self, done):
        while not done(self.buffer):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed; had {self.buffer!r}")
            self.buffer += chunk
        return self.buffer

    def read_line(self):
        self.read_until(lambda b: b"\r\n" in b)
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def ask(self, command):
        """The answer's lines, without real-time notifications, through END or its one line."""
        self.sock.sendall(command.encode() + b"\n")
        lines = []
        while True:
            line = self.read_line().decode()
            if line.startswith(">"):
                continue
            lines.append(line)
            if line == "END" or (len(lines) == 1 and (line.startswith("SUCCESS:") or line.startswith("ERROR:"))):
                return lines

    def close(self):
        try:
            self.sock.sendall(b"quit\n")
        except OSError:
            pass
        self.sock.close()


class FakeManagement:
    """A management-interface impostor for fault injection only (never instead of OpenVPN):
    refuses nothing, but answers as `mode` says."""

    def __init__(self, mode, rows=0, names=(), prefix="fake"):
        self.mode, self.rows, self.names, self.prefix = mode, rows, list(names), prefix
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def status_text(self):
        lines = ["TITLE\tOpenVPN 2.6.14 fake", "TIME\t2026-11-25 23:00:00\t1795647600",
                 "HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\t"
                 "Bytes Received\tBytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\t"
                 "Peer ID\tData Channel Cipher"]
        for i in range(self.rows):
            name = f"{self.prefix}-{i}"
            lines.append(f"CLIENT_LIST\t{name}\t192.0.2.{i % 250 + 1}:{1024 + i % 60000}\t10.99.{i // 250 % 250}.{i % 250 + 2}"
                         f"\t\t{i}\t{i}\t2026-11-25 22:00:00\t{1795644000 + i}\t{name}\t{i}\t{i}\tAES-256-GCM")
        for i, name in enumerate(self.names):
            lines.append(f"CLIENT_LIST\t{name}\t192.0.2.9:{2000 + i}\t10.98.0.{i + 2}\t\t1\t2\t2026-11-25 22:00:00\t"
                         f"1795644000\tUNDEF\t{i}\t{i}\tAES-256-GCM")
        return ("\r\n".join(lines) + "\r\nEND\r\n").encode("utf-8", "surrogateescape")

    def _serve(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        greeting = b">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n"
        try:
            with conn:
                if self.mode == "silent":
                    time.sleep(30)
                    return
                if self.mode == "garbage":
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n\x00\xff")
                    time.sleep(1)
                    return
                conn.sendall(greeting)
                conn.recv(64)  # status 3
                text = self.status_text()
                if self.mode == "truncated":
                    conn.sendall(text[: len(text) // 2])
                    return
                if self.mode == "slow":  # the whole status takes about 4 s
                    step = max(1, len(text) // 8)
                    for i in range(0, len(text), step):
                        conn.sendall(text[i:i + step])
                        time.sleep(0.5)
                    return
                if self.mode == "flood":  # status output that never ends
                    row = b"CLIENT_LIST\tx\t192.0.2.1:1\t10.0.0.2\t\t1\t1\tx\t1\tx\t1\t1\tx\r\n" * 1000
                    conn.sendall(text.split(b"END")[0])
                    while True:
                        conn.sendall(row)
                conn.sendall(text)
                conn.recv(64)  # quit
        except OSError:
            pass

    def close(self):
        self.stopped = True
        self.sock.close()


def make_tls_cert(directory):
    """A self-signed certificate for 127.0.0.1: (cert, key)."""
    cert, key = os.path.join(directory, "panel.crt"), os.path.join(directory, "panel.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class NetNamespace:
    """A network namespace of the test's own, with loopback up: its addresses exist nowhere else."""

    def __init__(self, prefix="omp"):
        self.name = f"{prefix}-{os.getpid()}-{free_port()}"
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True)

    def run(self, argv, **kwargs):
        return subprocess.run(["ip", "netns", "exec", self.name, *argv], **kwargs)

    def link_to(self, other, address, other_address, prefix=30):
        """A veth pair between this namespace and `other`, with an address at each end."""
        a, b = f"v{free_port()}", f"v{free_port()}"
        subprocess.run(["ip", "link", "add", a, "netns", self.name, "type", "veth", "peer", "name", b,
                        "netns", other.name], check=True)
        for ns, dev, addr in ((self, a, address), (other, b, other_address)):
            subprocess.run(["ip", "-n", ns.name, "addr", "add", f"{addr}/{prefix}", "dev", dev], check=True)
            subprocess.run(["ip", "-n", ns.name, "link", "set", dev, "up"], check=True)

    def remove(self):
        subprocess.run(["ip", "netns", "del", self.name], check=False)


class WireGuardInterface:
    """A real userspace WireGuard interface (wireguard-go in the foreground, stopped by pid) in a
    network namespace, with a fresh key pair. Its UAPI socket in /run/wireguard is reachable
    from the host side, as wg(8) and the aggregator expect."""

    def __init__(self, procs, work, netns, address, prefix=24):
        self.netns = netns
        self.name = f"omp{os.getpid() % 10000}x{free_port() % 100000}"[:15]
        self.port = free_port(socket.SOCK_DGRAM)
        self.private_key = subprocess.run(["wg", "genkey"], capture_output=True, text=True, check=True).stdout.strip()
        self.public_key = subprocess.run(["wg", "pubkey"], input=self.private_key, capture_output=True, text=True,
                                         check=True).stdout.strip()
        self.key_file = work.join(f"{self.name}.key")
        with open(os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(self.private_key + "\n")
        self.socket = f"/run/wireguard/{self.name}.sock"
        env = dict(os.environ, WG_PROCESS_FOREGROUND="1")
        self.proc = procs.start(["ip", "netns", "exec", netns.name, "wireguard-go", "-f", self.name],
                                log_path=work.join(f"{self.name}.log"), env=env)
        wait_until(lambda: os.path.exists(self.socket) or self.proc.poll() is not None, 10,
                   what=f"wireguard-go {self.name}")
        if self.proc.poll() is not None:
            raise AssertionError(f"wireguard-go {self.name} exited:\n{read_text(work.join(self.name + '.log'))}")
        self.wg("set", self.name, "private-key", self.key_file, "listen-port", str(self.port))
        netns.run(["ip", "addr", "add", f"{address}/{prefix}", "dev", self.name], check=True)
        netns.run(["ip", "link", "set", self.name, "up"], check=True)

    def wg(self, *args):
        return subprocess.run(["wg", *args], capture_output=True, text=True, check=True).stdout

    def add_peer(self, public_key, allowed_ips, endpoint=None, keepalive=None):
        args = ["set", self.name, "peer", public_key, "allowed-ips", allowed_ips]
        if endpoint:
            args += ["endpoint", endpoint]
        if keepalive:
            args += ["persistent-keepalive", str(keepalive)]
        self.wg(*args)

    def dump(self):
        """The peers as wg(8) prints them: the test's own view of the interface."""
        lines = self.wg("show", self.name, "dump").splitlines()[1:]
        keys = ["public_key", "preshared_key", "endpoint", "allowed_ips", "latest_handshake", "transfer_rx",
                "transfer_tx", "keepalive"]
        return {row["public_key"]: row for row in (dict(zip(keys, line.split("\t"))) for line in lines)}


def cgroup2_root():
    """Where this machine mounts the cgroup2 hierarchy: /sys/fs/cgroup when it is unified, as
    Debian 12 and 13 boot, or /sys/fs/cgroup/unified when it is hybrid (cgroup v1 controllers)."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[fields.index("-") + 1] == "cgroup2":
                return fields[4]
    raise AssertionError("this machine has no cgroup2 hierarchy mounted: nspawn cannot boot a host")


def own_cgroup2_dir():
    """This process's cgroup in the cgroup2 hierarchy, as a directory."""
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                return os.path.join(cgroup2_root(), line[3:].strip().lstrip("/"))
    raise AssertionError("this process has no cgroup2 cgroup")


def remove_cgroup_tree(path, timeout=10):
    """rmdir a cgroup and what its systemd left below it, deepest first (cgroupfs refuses
    rmdir -r and the files in it cannot be removed). The host's last processes may still be
    leaving their cgroups after nspawn exited: tried again until `timeout`; what still holds
    a process then stays."""
    deadline = time.monotonic() + timeout
    while True:
        for top, dirs, _ in os.walk(path, topdown=False):
            for name in dirs:
                try:
                    os.rmdir(os.path.join(top, name))
                except OSError:
                    pass
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > deadline:
                return
            time.sleep(0.1)


class PrivateJournal:
    """A real systemd-journald of the test's own, in a private mount namespace with a tmpfs over
    /run (and /var/log/journal), so the host's journal is never touched. A process started
    through `wrap` joins that namespace; with a unit, it is first moved into the cgroup
    <test>.slice/system.slice/UNIT, from which journald takes _SYSTEMD_UNIT=UNIT, as for a
    service that systemd started."""

    CONFIG = "[Journal]\nStorage=volatile\nReadKMsg=no\nAudit=no\nForwardToSyslog=no\nForwardToWall=no\n" \
             "ForwardToConsole=no\nRateLimitBurst=0\n"

    def __init__(self, procs, work):
        self.slice = os.path.join(cgroup2_root(), f"omp{os.getpid()}x{free_port()}.slice")
        script = ("mount -t tmpfs tmpfs /run && "
                  "{ [ ! -d /var/log/journal ] || mount -t tmpfs tmpfs /var/log/journal; } && "
                  "mkdir -p /run/systemd/journald.conf.d && "
                  f"printf '{self.CONFIG}' > /run/systemd/journald.conf.d/test.conf && "
                  "exec /lib/systemd/systemd-journald")
        # Its own messages to its stderr, never to the host's kernel log.
        env = dict(os.environ, SYSTEMD_LOG_TARGET="console")
        self.proc = procs.start(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                log_path=work.join("journald.log"), env=env)
        stdout_socket = f"/proc/{self.proc.pid}/root/run/systemd/journal/stdout"
        wait_until(lambda: os.path.exists(stdout_socket) or self.proc.poll() is not None, 10,
                   what="the private journald")
        if self.proc.poll() is not None:
            raise AssertionError(f"journald exited:\n{read_text(work.join('journald.log'))}")

    def wrap(self, argv, unit=None):
        prefix = ["nsenter", "-t", str(self.proc.pid), "-m", "--"]
        if not unit:
            return [*prefix, *argv]
        cgroup = os.path.join(self.slice, "system.slice", unit)
        os.makedirs(cgroup, exist_ok=True)
        return [*prefix, "sh", "-c", f'echo $$ > {cgroup}/cgroup.procs && exec "$@"', "sh", *argv]

    def read(self, unit):
        """The unit's messages as journalctl prints them: the test's own view of the journal."""
        return subprocess.run(self.wrap(["journalctl", "--no-pager", "-o", "cat", "-u", unit]),
                              capture_output=True, text=True).stdout

    def remove(self):
        """After every process in its cgroups has stopped."""
        Processes.stop(self.proc)
        remove_cgroup_tree(self.slice)


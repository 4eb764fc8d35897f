"""A real TLS front for the stand-in panel: Debian's nginx terminating TLS (HTTP/2 and HTTP/1.1
keep-alive) and proxying to a plain-HTTP upstream, as production panels sit. Its access log
says, per request, on which connection it came, the how-manieth request on it, whether the
TLS session was resumed, the protocol, and the bytes each way: what the panel pays."""
import os
import signal
import time

from tests.lib.harness import accepts_connections, free_port, stop_for_cpu, wait_until

# One line per request, space separated, in this order (fields() names them).
LOG_FIELDS = ("connection", "connection_requests", "ssl_session_reused", "ssl_protocol",
              "server_protocol", "request_length", "bytes_sent", "status")
LOG_FORMAT = " ".join("$" + f for f in LOG_FIELDS)


class NginxFront:
    """nginx on a free loopback port, started and stopped by pid. `keepalive_timeout` is how long
    it keeps an idle client connection; `http2` whether it offers HTTP/2 by ALPN; `port` one to
    take again (a front started anew where the last one was)."""

    def __init__(self, procs, work, upstream_port, cert, key, *, keepalive_timeout="75s",
                 keepalive_requests=100000, http2=True, name="nginx", port=None):
        self.procs, self.upstream_port = procs, upstream_port
        self.cert, self.key = cert, key
        self.keepalive_timeout, self.keepalive_requests, self.http2 = (
            keepalive_timeout, keepalive_requests, http2)
        self.dir = work.join(name)
        for sub in ("", "tmp"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.access_log = os.path.join(self.dir, "access.log")
        self.error_log = os.path.join(self.dir, "error.log")
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.port = port or free_port()
        self.proc = None
        # nginx before 1.23.2 (Debian 12 has 1.22) makes new ticket keys at each reload unless
        # given one: without it no TLS 1.3 session outlives a reload (the README says so).
        self.ticket_key = os.path.join(self.dir, "ticket.key")
        with open(self.ticket_key, "wb") as f:
            f.write(os.urandom(80))
        os.chmod(self.ticket_key, 0o600)
        self._write_conf()

    def _write_conf(self):
        tmp = os.path.join(self.dir, "tmp")
        with open(self.conf, "w") as f:
            f.write(f"""\
daemon off;
master_process on;
worker_processes 1;
user root root;
pid {self.dir}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 4096; }}
http {{
    log_format omp '{LOG_FORMAT}';
    access_log {self.access_log} omp;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 64m;
    keepalive_timeout {self.keepalive_timeout};
    keepalive_requests {self.keepalive_requests};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:omp:1m;
    ssl_session_timeout 1h;
    ssl_session_ticket_key {self.ticket_key};
    upstream panel {{
        server 127.0.0.1:{self.upstream_port};
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{self.port} ssl{" http2" if self.http2 else ""};
        ssl_certificate {self.cert};
        ssl_certificate_key {self.key};
        location / {{
            proxy_pass http://panel;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
""")

    def start(self):
        self.proc = self.procs.start(["nginx", "-c", self.conf, "-p", self.dir],
                                     log_path=os.path.join(self.dir, "stderr.log"))
        wait_until(self._listening, 10, what="nginx listening")
        return self

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"nginx exited: {open(self.error_log).read()[-2000:]}")
        return accepts_connections(self.port)

    def reload(self):
        """What `systemctl reload nginx` does: new workers; the old ones close their idle
        connections and leave."""
        os.kill(self.proc.pid, signal.SIGHUP)
        time.sleep(0.5)

    def stop(self):
        """Graceful stop; returns the CPU seconds (user + system) of the master and every worker
        it reaped."""
        return stop_for_cpu(self.proc, signal.SIGQUIT) if self.proc else 0.0

    def url(self, path="/api/servers/test/events"):
        return f"https://127.0.0.1:{self.port}{path}"

    def requests(self):
        """Every logged request, as a dict of LOG_FIELDS."""
        try:
            with open(self.access_log) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        return [dict(zip(LOG_FIELDS, line.split(" "))) for line in lines if line]


def connections(requests):
    """The connections the requests came on, in order of first use: [(serial, resumed)]."""
    seen = {}
    for r in requests:
        seen.setdefault(r["connection"], r["ssl_session_reused"] == "r")
    return list(seen.items())

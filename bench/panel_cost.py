#!/usr/bin/env python3
"""What the panel pays per server-hour, old timer script beside the daemon, in one run (issue #27).
Run as root from the repository root after a build:

    python3 -m bench.panel_cost [--seconds 60] [--users 1000] [--fleet 50] [--hour-of-posts]
                                [--keepalive-requests 1000] [--only PHASE ...]

Every POST goes through the same nginx configuration (tests/e2e/tls_front.py: TLS 1.3, HTTP/2
and HTTP/1.1 keep-alive, by default nginx's own keepalive_requests 1000) to a panel stand-in of this
file's own that does what a panel does with a body (gunzip when encoded, parse the JSON) and
keeps nothing. Each server is two stand-in management interfaces (the e2e harness's, `users`/2
sessions each: real OpenVPN cannot hold 1,000 clients here). Phases, each `--seconds` long and
each with a fresh nginx and panel:

  old script      tests/booted/old_deployment/ovpn-mgmt-push.sh every 2 s (its systemd timer;
                  its ports and settings file pointed at the stand-ins), curl per POST
  daemon          ovpn-mgmt-push run, 2 s interval, --panel-gzip off, then on
  fleet           --fleet daemons at once, each with its own stand-ins, gzip off, then on
  hour of POSTs   (--hour-of-posts) one daemon, 1,800 POSTs (a server-hour at 2 s) sent at
                  --interval 0.1: the connections and handshakes of a whole server-hour
                  (counted, not scaled: it is left out of the per-hour table)
--only runs the phases named (old, daemon, fleet, hour).

From nginx's access log: POSTs, TCP connections, TLS handshakes (full, resumed), bytes the panel
received (request line, headers and body: $request_length); from wait4() when each stops: the CPU
time of nginx (master and workers) and of the panel; of the client side, the old script's runs
(bash, python3, curl) or the daemons' own. Per server-hour = measured x 3600 / (seconds x servers).
"""
import argparse
import datetime
import gzip
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
from tests.lib.harness import (BINARY, Aggregator, FakeManagement, Processes, Workdir, accepts_connections,
                     free_port, make_tls_cert, proc_cpu_seconds, stop_for_cpu, wait_until)
from tests.lib.tls_front import NginxFront, connections

OLD_SCRIPT = os.path.join(ROOT, "tests", "booted", "old_deployment", "ovpn-mgmt-push.sh")
NGINX_DEFAULT_KEEPALIVE_REQUESTS = 1000
KEEPALIVE_REQUESTS = NGINX_DEFAULT_KEEPALIVE_REQUESTS  # --keepalive-requests


# --- the panel stand-in, run as a process of its own so that its CPU time is its own --------

def serve_panel(port):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            json.loads(body)  # what the dashboard does with it first
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


# --- one server: two management stand-ins ----------------------------------------------------

class Server:
    def __init__(self, index, users):
        half = users // 2
        self.mgmt = [FakeManagement("normal", rows=half, prefix=f"s{index}-udp"),
                     FakeManagement("normal", rows=users - half, prefix=f"s{index}-tcp")]

    def close(self):
        for m in self.mgmt:
            m.close()


class OldScript:
    """The old script as its timer runs it: every 2 s, the next run not before the last ended."""

    def __init__(self, work, server, url_base, ca):
        self.path = work.join("ovpn-mgmt-push.sh")
        settings = work.join("ovpn-status-push")
        with open(settings, "w") as f:
            f.write(f"PANEL_URL={url_base}\nSERVER_ID=1\nPANEL_TOKEN=bench\n")
        with open(OLD_SCRIPT) as f:
            text = f.read()
        text = text.replace("/etc/default/ovpn-status-push", settings)
        text = text.replace("status 7505", f"status {server.mgmt[0].port}")
        text = text.replace("status 7506", f"status {server.mgmt[1].port}")
        with open(self.path, "w") as f:
            f.write(text)
        self.env = dict(os.environ, CURL_CA_BUNDLE=ca)
        self.cpu, self.runs, self.stopped = 0.0, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        next_run = time.monotonic()
        while not self.stopped.is_set():
            proc = subprocess.Popen(["bash", self.path], env=self.env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(proc.pid, 0)
            proc.returncode = 0
            self.cpu += usage.ru_utime + usage.ru_stime
            self.runs += 1
            next_run += 2
            self.stopped.wait(max(0.0, next_run - time.monotonic()))

    def stop(self):
        self.stopped.set()
        self.thread.join()
        return self.cpu


# --- a phase: a fresh front and panel, some clients, a window, the counts --------------------

class Phase:
    def __init__(self, name, servers, seconds):
        self.name, self.servers, self.seconds = name, servers, seconds
        self.procs, self.work = Processes(), Workdir(prefix="omp-panel-cost-")
        self.cert, self.key = make_tls_cert(self.work.join())
        self.panel_port = free_port()
        self.panel = self.procs.start([sys.executable, "-m", "bench.panel_cost", "--serve-panel",
                                       str(self.panel_port)], cwd=ROOT)
        wait_until(lambda: accepts_connections(self.panel_port), 10, what="the panel stand-in")
        self.front = NginxFront(self.procs, self.work, self.panel_port, self.cert, self.key,
                                keepalive_requests=KEEPALIVE_REQUESTS).start()

    def daemon(self, index, server, *args, interval="2"):
        sock = self.work.join(f"events-{index}.sock")
        d = Aggregator(self.procs, self.work, [
            "--mgmt", f"udp={server.mgmt[0].address}", "--mgmt", f"tcp={server.mgmt[1].address}",
            "--url", self.front.url(f"/api/servers/{index}/events"), "--ca-file", self.cert,
            "--interval", interval, "--event-socket", sock, "--state-dir", self.work.join(f"state-{index}"),
            *args])
        d.log = self.work.join(f"daemon-{index}.log")
        return d.start(sock)

    def finish(self, client_cpu):
        nginx_cpu = self.front.stop()
        panel_cpu = stop_for_cpu(self.panel, signal.SIGTERM)
        requests = self.front.requests()
        seen = connections(requests)
        result = {
            "phase": self.name, "servers": self.servers, "seconds": self.seconds,
            "posts": len(requests),
            "non_2xx": sum(1 for r in requests if not r["status"].startswith("2")),
            "connections": len(seen),
            "full_handshakes": sum(1 for _, resumed in seen if not resumed),
            "resumed_handshakes": sum(1 for _, resumed in seen if resumed),
            "bytes_in": sum(int(r["request_length"]) for r in requests),
            "protocols": sorted({r["server_protocol"] for r in requests}),
            "nginx_cpu": nginx_cpu, "panel_cpu": panel_cpu, "client_cpu": client_cpu,
        }
        self.procs.stop_all()
        self.work.remove()
        return result


def run_old_script(args):
    server = Server(0, args.users)
    phase = Phase("old script", 1, args.seconds)
    try:
        script = OldScript(phase.work, server, f"https://127.0.0.1:{phase.front.port}", phase.cert).start()
        time.sleep(args.seconds)
        return phase.finish(script.stop())
    finally:
        server.close()


def run_daemons(args, name, count, gzip_mode, seconds=None, interval="2", posts=None):
    servers = [Server(i, args.users) for i in range(count)]
    phase = Phase(name, count, seconds or args.seconds)
    try:
        daemons = [phase.daemon(i, s, "--panel-gzip", gzip_mode, interval=interval)
                   for i, s in enumerate(servers)]
        started = time.monotonic()
        if posts:
            wait_until(lambda: len(phase.front.requests()) >= posts, 3600, interval=1,
                       what=f"{posts} POSTs")
            phase.seconds = time.monotonic() - started
        else:
            time.sleep(phase.seconds)
        cpu = sum(proc_cpu_seconds(d.proc.pid) for d in daemons)
        for d in daemons:
            failed = re.findall(r"panel unreachable.*|panel answered.*", d.read_log())
            if failed:
                print(f"  warning: {name}: {failed[0]}", file=sys.stderr)
        return phase.finish(cpu)
    finally:
        for s in servers:
            s.close()


# --- the table --------------------------------------------------------------------------------

def per_server_hour(result, key):
    return result[key] * 3600 / (result["seconds"] * result["servers"])


def print_table(results):
    if not any(not r["phase"].startswith("hour") for r in results):
        return print_hour(results)
    print(f"\npanel cost per server-hour, {results[0]['users']} users per server "
          f"({platform.node()}, {os.cpu_count()} cores, {datetime.date.today()}):")
    head = (f"{'phase':<28}{'servers':>8}{'POSTs':>8}{'conns':>8}{'full TLS':>10}{'resumed':>9}"
            f"{'MB in':>10}{'KB/POST':>9}{'nginx s':>9}{'panel s':>9}{'client s':>10}  protocol")
    print(head)
    for r in (r for r in results if not r["phase"].startswith("hour")):
        posts = per_server_hour(r, "posts")
        print(f"{r['phase']:<28}{r['servers']:>8}{posts:>8.0f}{per_server_hour(r, 'connections'):>8.1f}"
              f"{per_server_hour(r, 'full_handshakes'):>10.1f}{per_server_hour(r, 'resumed_handshakes'):>9.1f}"
              f"{per_server_hour(r, 'bytes_in') / 1e6:>10.1f}{r['bytes_in'] / max(1, r['posts']) / 1e3:>9.1f}"
              f"{per_server_hour(r, 'nginx_cpu'):>9.2f}{per_server_hour(r, 'panel_cpu'):>9.2f}"
              f"{per_server_hour(r, 'client_cpu'):>10.2f}  {','.join(r['protocols'])}")
    print("\nmeasured (not per hour):")
    for r in results:
        print(f"  {r['phase']}: {r['servers']} servers x {r['seconds']:.0f} s: {r['posts']} POSTs "
              f"({r['non_2xx']} not 2xx), {r['connections']} connections, {r['full_handshakes']} full "
              f"and {r['resumed_handshakes']} resumed handshakes, {r['bytes_in']:,} bytes in, nginx "
              f"{r['nginx_cpu']:.2f} s, panel {r['panel_cpu']:.2f} s, client {r['client_cpu']:.2f} s CPU")
    by = {r["phase"]: r for r in results}
    old, plain, packed = by.get("old script"), by.get("daemon, gzip off"), by.get("daemon, gzip on")
    if old and plain and packed:
        # A daemon's one full handshake is made when it starts, once per life, not per hour:
        # beyond that first one per server, the windows compare like for like.
        def beyond_first(r):
            return per_server_hour(dict(r, full_handshakes=r["full_handshakes"] - r["servers"]), "full_handshakes")
        print(f"\nfull TLS handshakes per server-hour beyond each server's first: old {beyond_first(old):.0f}, "
              f"daemon {beyond_first(plain):.0f} (gzip off), {beyond_first(packed):.0f} (gzip on)")
        print(f"bytes into the panel: old/daemon {old['bytes_in'] / old['posts'] / (plain['bytes_in'] / plain['posts']):.2f}x "
              f"per POST without gzip, {old['bytes_in'] / old['posts'] / (packed['bytes_in'] / packed['posts']):.2f}x with gzip; "
              f"per server-hour {per_server_hour(old, 'bytes_in') / per_server_hour(packed, 'bytes_in'):.2f}x with gzip")
        print(f"panel CPU (nginx + panel) per server-hour: old {per_server_hour(old, 'nginx_cpu') + per_server_hour(old, 'panel_cpu'):.1f} s, "
              f"daemon {per_server_hour(plain, 'nginx_cpu') + per_server_hour(plain, 'panel_cpu'):.1f} s (gzip off), "
              f"{per_server_hour(packed, 'nginx_cpu') + per_server_hour(packed, 'panel_cpu'):.1f} s (gzip on)")
    print_hour(results)


def print_hour(results):
    hour = next((r for r in results if r["phase"].startswith("hour")), None)
    if hour:
        print(f"a server-hour of POSTs (1,800 at --interval 0.1, {hour['seconds']:.0f} s): {hour['connections']} "
              f"connections, {hour['full_handshakes']} full and {hour['resumed_handshakes']} resumed handshakes "
              f"(nginx's keepalive_requests {KEEPALIVE_REQUESTS})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--fleet", type=int, default=50)
    ap.add_argument("--hour-of-posts", action="store_true")
    ap.add_argument("--keepalive-requests", type=int, default=NGINX_DEFAULT_KEEPALIVE_REQUESTS)
    ap.add_argument("--only", nargs="+", choices=("old", "daemon", "fleet", "hour"))
    ap.add_argument("--serve-panel", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_panel:
        return serve_panel(args.serve_panel)
    global KEEPALIVE_REQUESTS
    KEEPALIVE_REQUESTS = args.keepalive_requests
    print(f"{BINARY}; keepalive_requests {KEEPALIVE_REQUESTS}; nginx {subprocess.run(['nginx', '-v'], capture_output=True, text=True).stderr.strip()}",
          flush=True)
    results = []
    only = set(args.only or ("old", "daemon", "fleet") + (("hour",) if args.hour_of_posts else ()))
    steps = []
    if "old" in only:
        steps.append(lambda: run_old_script(args))
    if "daemon" in only:
        steps += [lambda: run_daemons(args, "daemon, gzip off", 1, "off"),
                  lambda: run_daemons(args, "daemon, gzip on", 1, "on")]
    if "fleet" in only and args.fleet:
        steps += [lambda: run_daemons(args, f"fleet of {args.fleet}, gzip off", args.fleet, "off"),
                  lambda: run_daemons(args, f"fleet of {args.fleet}, gzip on", args.fleet, "on")]
    if "hour" in only:
        steps.append(lambda: run_daemons(args, "hour of POSTs, gzip on", 1, "on", interval="0.1", posts=1800))
    for step in steps:
        result = step()
        result["users"] = args.users
        results.append(result)
        print(f"  {result['phase']}: {result['posts']} POSTs, {result['connections']} connections", flush=True)
    print_table(results)


if __name__ == "__main__":
    main()

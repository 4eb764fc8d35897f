#!/usr/bin/env python3
"""The plugin's client hooks timed inside real OpenVPN, against the floor (issue #15, point 7).
Run as root from the repository root after a build:

    python3 bench/hook_in_openvpn.py [--rounds 5] [--burst 20]

A UDP server loads bench's hook_timer.so, which loads the real plugin and times each hook from
outside it, in OpenVPN's thread, beside one bare 200-byte sendto() by path to a receiver asleep
in poll() (the floor), alternating which runs first. The daemon receives the plugin's events as
in production. Each round, `--burst` real clients connect at once, then leave at once; the
ratios hook/floor are reported per call (median and 90th percentile), for connects and
disconnects.
"""
import argparse
import os
import select
import signal
import socket
import statistics
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import harness  # noqa: E402
from harness import (Aggregator, OpenVPNClient, OpenVPNServer, PanelStandIn, Pki, Processes,  # noqa: E402
                     Workdir, wait_until)

SHIM = os.environ.get("OMP_HOOK_TIMER", os.path.join(os.path.dirname(harness.PLUGIN), "..", "bench",
                                                      "hook_timer.so"))


class FloorReceiver:
    """A Unix datagram socket whose reader sleeps in poll() and drains what arrives."""

    def __init__(self, path, like_daemon=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if like_daemon:  # the daemon's socket options: credentials with every datagram, 1 MiB
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind(path)
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        while not self.stop:
            if poller.poll(100):
                self.sock.recv(4096)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--burst", type=int, default=20)
    ap.add_argument("--floor-like-daemon", action="store_true",
                    help="the floor's receiver gets the daemon's socket options")
    ap.add_argument("--prewarm", action="store_true",
                    help="the shim touches every environment string before the hook (experiment)")
    ap.add_argument("--daemon-policy", choices=("as-is", "other"), default="as-is",
                    help="other: put the daemon back to SCHED_OTHER, as before it chose SCHED_BATCH")
    ap.add_argument("--daemon-state", choices=("running", "stopped", "absent"), default="running",
                    help="experiment: the daemon SIGSTOPped (the plugin's sends queue, then fail with "
                         "EAGAIN, waking no one) or never started (its sends fail at once)")
    args = ap.parse_args()
    procs, work = Processes(), Workdir(prefix="omp-hook-")
    try:
        pki = Pki(work.join("pki"))
        panel = PanelStandIn()
        sock = work.join("run", "events.sock")
        results, floor_path = work.join("hooks.txt"), work.join("floor.sock")
        floor = FloorReceiver(floor_path, args.floor_like_daemon)
        real = os.path.abspath(harness.PLUGIN)
        harness.PLUGIN = os.path.abspath(SHIM)
        server = OpenVPNServer(procs, work, pki, "udp", "udp", event_socket=sock, subnet_octet=91,
                               drop_privileges=True, extra="max-clients 1024\n",
                               plugin_args=f"{real} out={results} floor={floor_path} "
                                           f"{'prewarm=1 ' if args.prewarm else ''}instance=udp socket={sock}")
        daemon = Aggregator(procs, work, ["--mgmt", f"udp={server.mgmt_address}", "--url", panel.url(),
                                          "--interval", "2", "--event-socket", sock]).start(sock)
        if args.daemon_policy == "other":
            os.sched_setscheduler(daemon.proc.pid, os.SCHED_OTHER, os.sched_param(0))
        policy = {os.SCHED_OTHER: "SCHED_OTHER", os.SCHED_BATCH: "SCHED_BATCH"}.get(
            os.sched_getscheduler(daemon.proc.pid), "?")
        print(f"daemon policy: {policy}, {args.daemon_state}")
        if args.daemon_state == "absent":
            procs.stop(daemon.proc)
            if os.path.exists(sock):
                os.unlink(sock)
        elif args.daemon_state == "stopped":
            os.kill(daemon.proc.pid, signal.SIGSTOP)
        server.start()
        for r in range(args.rounds):
            clients = [OpenVPNClient(procs, work, pki, server, "burst", username=f"b{r}-{i}")
                       for i in range(args.burst)]
            for c in clients:
                c.start(wait=False)
            for c in clients:
                c.wait_connected(60)
            for c in clients:
                c.stop()
        wait_until(lambda: server.read_log().count("PLUGIN_CALL: POST") >= 0, 1)
        procs.stop(server.proc)  # close_v1 writes the samples
        floor.stop = True
        rows = [line.split() for line in open(results)]
        for kind in ("connect", "disconnect"):
            hook = [int(h) / 1000 for k, h, f in rows if k == kind]
            base = [int(f) / 1000 for k, h, f in rows if k == kind]
            ratio = [int(h) / int(f) for k, h, f in rows if k == kind]
            if not ratio:
                continue
            print(f"{kind}: {len(ratio)} calls; hook p50 {statistics.median(hook):.1f} us, "
                  f"p90 {pct(hook, 0.9):.1f} us; floor p50 {statistics.median(base):.1f} us, "
                  f"p90 {pct(base, 0.9):.1f} us; ratio per call p50 {statistics.median(ratio):.2f}, "
                  f"p90 {pct(ratio, 0.9):.2f}; ratio of p50s {statistics.median(hook) / statistics.median(base):.2f}")
            # The shim alternates the order per call (its counter spans both kinds): the first
            # send after OpenVPN's own work pays for waking an idle CPU, the second finds it awake.
            for parity, order in ((0, "floor first"), (1, "hook first")):
                pairs = [(int(h) / 1000, int(f) / 1000) for i, (k, h, f) in enumerate(rows)
                         if k == kind and i % 2 == parity]
                if pairs:
                    print(f"  {order}: hook p50 {statistics.median(p[0] for p in pairs):.1f} us, "
                          f"floor p50 {statistics.median(p[1] for p in pairs):.1f} us")
    finally:
        procs.stop_all()
        work.remove()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The plugin's client hooks timed inside real OpenVPN, against the floor (issue #15, point 7).
Run as root from the repository root after a build:

    python3 -m bench.hook_in_openvpn [--rounds 5] [--burst 20]

A UDP server loads bench's hook_timer.so, which loads the real plugin and times each hook from
outside it, in OpenVPN's thread, beside one bare 200-byte sendto() by path to a receiver asleep
in poll() (the floor), alternating which runs first. The daemon receives the plugin's events as
in production. Each round, `--burst` real clients connect at once, then leave at once; for
connects and disconnects, hook and floor are reported as medians, and as ratios in matched
positions (see report()).
"""
import argparse
import os
import signal
import statistics
import sys

from tests.lib import harness
from tests.lib.harness import (Aggregator, OpenVPNClient, OpenVPNServer, PanelStandIn, Pki, Processes,
                     Workdir, wait_until)

BENCH_DIR = os.path.join(os.path.dirname(harness.PLUGIN), "..", "bench")
SHIM = os.environ.get("OMP_HOOK_TIMER", os.path.join(BENCH_DIR, "hook_timer.so"))
STEPS_SHIM = os.path.join(BENCH_DIR, "hook_steps.so")


# The floor's receiver: a process of its own with one thread, so that it really sleeps in
# poll() whenever a datagram arrives. (A thread of this script would often be waiting for
# Python's interpreter lock instead, off the socket's wait queue: then the floor's send would
# wake no one and cost less than any send that does.)
FLOOR_RECEIVER = r"""
import os, select, socket, sys
path, like_daemon, policy = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
if policy == "batch":
    os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if like_daemon:  # the daemon's socket options: credentials with every datagram, 1 MiB
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
sock.bind(path)
os.chmod(path, 0o666)  # OpenVPN sends as `nobody` after dropping privileges
poller = select.poll()
poller.register(sock, select.POLLIN)
while True:
    poller.poll()
    try:
        while True:
            sock.recv(4096, socket.MSG_DONTWAIT)
    except BlockingIOError:
        pass
"""


def start_floor_receiver(procs, path, like_daemon, policy):
    proc = procs.start([sys.executable, "-c", FLOOR_RECEIVER, path, "1" if like_daemon else "0", policy])
    wait_until(lambda: os.path.exists(path), 10)
    return proc


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def in_position(kind, rows):
    """Per position of the measured send ("first send", "second send"): the values of the calls
    measured in it (us, a row's columns after its kind) and the floors sent in that same position
    (the last column). Both shims send the floor first on even calls."""
    for position, parity in (("first send", 1), ("second send", 0)):
        calls = [[int(v) / 1000 for v in r[1:]] for i, r in enumerate(rows) if r[0] == kind and i % 2 == parity]
        floors = [int(r[-1]) / 1000 for i, r in enumerate(rows)
                  if r[0] == kind and i % 2 != parity and int(r[-1]) >= 0]
        if calls and floors:
            yield position, calls, floors


def report(kind, rows):
    """Prints the hook against the floor for one kind of call.

    The shim alternates which send goes first (its counter spans both kinds), and position
    matters: the first send after OpenVPN's own work pays for waking an idle CPU of this VM, the
    second finds it awake. So a hook is compared with floors in the same position: per pair of
    neighbouring calls (one with the floor first, the next with the hook first), the hooks'
    sum over the floors' sum; and per position, the medians.
    """
    calls = {i: (int(h) / 1000, int(f) / 1000) for i, (k, h, f) in enumerate(rows) if k == kind}
    if not calls:
        return
    hook = [h for h, f in calls.values()]
    base = [f for h, f in calls.values() if f >= 0]
    pairs = [(calls[i][0] + calls[i + 1][0]) / (calls[i][1] + calls[i + 1][1])
             for i in calls if i % 2 == 0 and i + 1 in calls and min(calls[i][1], calls[i + 1][1]) >= 0]
    print(f"{kind}: {len(calls)} calls; hook p50 {statistics.median(hook):.1f} us, "
          f"p90 {pct(hook, 0.9):.1f} us; floor p50 {statistics.median(base):.1f} us, "
          f"p90 {pct(base, 0.9):.1f} us; ratio of p50s {statistics.median(hook) / statistics.median(base):.2f}")
    if pairs:
        print(f"  pairs of neighbouring calls ({len(pairs)}): hooks/floors p50 "
              f"{statistics.median(pairs):.2f}, p90 {pct(pairs, 0.9):.2f}")
    for position, measured, floors in in_position(kind, rows):
        h, f = statistics.median(c[0] for c in measured), statistics.median(floors)
        print(f"  as the {position}: hook p50 {h:.1f} us, floor p50 {f:.1f} us, ratio {h / f:.2f}")


def report_steps(kind, rows):
    """The plugin's steps one by one (--steps), by position of the send against the floor's."""
    for position, calls, floors in in_position(kind, rows):
        env, encode, send = (statistics.median(c[k] for c in calls) for k in range(3))
        print(f"{kind}, as the {position} ({len(calls)} calls): environment {env:.2f} us, encoding "
              f"{encode:.2f} us, send to the daemon {send:.1f} us; floor {statistics.median(floors):.1f} us")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--burst", type=int, default=20)
    ap.add_argument("--floor-like-daemon", action="store_true",
                    help="the floor's receiver gets the daemon's socket options")
    ap.add_argument("--floor-policy", choices=("batch", "other"), default="batch",
                    help="the floor receiver's scheduling policy: batch, as the daemon's (default), "
                         "or other, which may preempt OpenVPN when woken")
    ap.add_argument("--steps", action="store_true",
                    help="time the plugin's steps one by one (hook_steps.so) instead of the real hook")
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
        start_floor_receiver(procs, floor_path, args.floor_like_daemon, args.floor_policy)
        real = os.path.abspath(harness.PLUGIN)
        harness.PLUGIN = os.path.abspath(STEPS_SHIM if args.steps else SHIM)
        server = OpenVPNServer(procs, work, pki, "udp", "udp", event_socket=sock, drop_privileges=True,
                               extra="max-clients 1024\n",
                               plugin_args=f"{real} out={results} floor={floor_path} "
                                           f"{'prewarm=1 ' if args.prewarm else ''}instance=udp socket={sock}")
        daemon = Aggregator(procs, work, ["--mgmt", f"udp={server.mgmt_address}", "--url", panel.url(),
                                          "--interval", "2", "--event-socket", sock]).start(sock)
        if args.daemon_policy == "other":
            os.sched_setscheduler(daemon.proc.pid, os.SCHED_OTHER, os.sched_param(0))
        policy = {os.SCHED_OTHER: "SCHED_OTHER", os.SCHED_BATCH: "SCHED_BATCH"}.get(
            os.sched_getscheduler(daemon.proc.pid), "?")
        print(f"daemon policy: {policy}, {args.daemon_state}; floor receiver: {args.floor_policy}")
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
        rows = [line.split() for line in open(results)]
        failures = [r for r in rows if r[0] == "floor-failures"]
        rows = [r for r in rows if r[0] != "floor-failures"]
        if failures:
            # A failed floor send woke no one (-1 in its row: left out). A few are the floor's
            # receiver falling behind under the burst (EAGAIN); many mean no floor at all.
            count, reason = int(failures[0][1]), " ".join(failures[0][2:])
            if count * 100 > len(rows):
                sys.exit(f"the floor's sendto() failed {count} times of {len(rows)} ({reason}): "
                         "it woke no receiver, so it measures nothing")
            print(f"{count} of {len(rows)} floor sends failed ({reason}) and are left out")
        for kind in ("connect", "disconnect"):
            (report_steps if args.steps else report)(kind, rows)
    finally:
        procs.stop_all()
        work.remove()


if __name__ == "__main__":
    main()

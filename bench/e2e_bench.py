#!/usr/bin/env python3
"""End-to-end benchmarks with real OpenVPN: two servers (UDP, TCP) loading the plugin, the
daemon, real clients and a local HTTP panel stand-in. Run as root from the repository root:

    python3 -m bench.e2e_bench latency [--clients 40]
    python3 -m bench.e2e_bench idle    [--clients 50] [--seconds 60]
    python3 -m bench.e2e_bench storm   [--clients 60]

OMP_BENCH_DAEMON_POLICY=other puts the daemon back to SCHED_OTHER (it runs SCHED_BATCH).

latency: event-to-POST time, from the plugin's hook (hook_ts_us in the payload's events) to
         the request arriving at the panel; clients connect one at a time, TCP ones then leave.
idle:    the daemon's CPU share and memory with N clients connected, over a quiet window.
storm:   N clients connect at once, then all leave: POSTs made, and the time from the last
         event to the first POST that shows exactly the final set.
"""
import argparse
import os
import time

from tests.lib.harness import (Aggregator, new_client, own_setting, proc_cpu_seconds, start_two_servers,
                               users_by_name, wait_until)


class Rig:
    """The e2e tests' setting and two servers (tests.lib.harness), with room for 1,024
    clients each, and one daemon; closed by running the cleanups in reverse."""

    def __init__(self, interval="2"):
        self.cleanups = []
        own_setting(self, self.cleanups.append, prefix="omp-bench-", servers=True)
        start_two_servers(self, extra="max-clients 1024\n")
        self.daemon = Aggregator(self.procs, self.work, [
            "--mgmt", f"udp={self.udp.mgmt_address}", "--mgmt", f"tcp={self.tcp.mgmt_address}",
            "--url", self.panel.url(), "--interval", interval, "--event-socket", self.socket,
            "--event-user", "nobody"]).start(self.socket)
        if os.environ.get("OMP_BENCH_DAEMON_POLICY") == "other":  # as before it chose SCHED_BATCH
            os.sched_setscheduler(self.daemon.proc.pid, os.SCHED_OTHER, os.sched_param(0))

    def close(self):
        for cleanup in reversed(self.cleanups):
            cleanup()


def event_latencies(panel, kind):
    """Latency of each event of `kind`: first POST that carries it minus the hook's time."""
    seen = {}
    with panel.lock:
        requests = list(panel.requests)
    import json
    for r in requests:
        body = json.loads(r["body"])
        for e in body.get("events", []):
            if e["event"] == kind:
                key = (e["instance"], e["username"], e["hook_ts_us"])
                seen.setdefault(key, r["arrived"] - e["hook_ts_us"] / 1e6)
    return list(seen.values())


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]


def bench_latency(args):
    rig = Rig()
    try:
        tcp_clients = []
        for i in range(args.clients):
            server = rig.udp if i % 2 == 0 else rig.tcp
            c = new_client(rig, server, f"lat-{i}").start()
            if server is rig.tcp:
                tcp_clients.append(c)
            rig.panel.wait_for_payload(lambda p, n=f"lat-{i}": n in users_by_name(p), 10)
        for c in tcp_clients:
            c.stop()
            rig.panel.wait_for_payload(lambda p, n=c.cert_name: n not in users_by_name(p), 10)
        time.sleep(0.5)
        connects, disconnects = event_latencies(rig.panel, "connect"), event_latencies(rig.panel, "disconnect")
        both = [x * 1000 for x in connects + disconnects]
        print(f"event-to-POST latency, {len(connects)} connects + {len(disconnects)} disconnects: "
              f"p50 {pct(both, 0.5):.2f} ms, p99 {pct(both, 0.99):.2f} ms, max {max(both):.2f} ms "
              f"(connects p50 {pct(connects, 0.5) * 1000:.2f} ms, disconnects p50 {pct(disconnects, 0.5) * 1000:.2f} ms)")
    finally:
        rig.close()


def memory_kib(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if parts[0] in ("Rss:", "Pss:", "Anonymous:", "Private_Dirty:", "Private_Clean:", "Shared_Clean:"):
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def bench_idle(args):
    rig = Rig()
    try:
        for i in range(args.clients):
            new_client(rig, rig.udp if i % 2 == 0 else rig.tcp, f"idle-{i}").start(wait=False)
        wait_until(lambda: any(p["clients"] == args.clients for p in rig.panel.payloads()[-3:]), 120,
                   what=f"{args.clients} clients")
        time.sleep(5)
        pid = rig.daemon.proc.pid
        posts0, cpu0, t0 = rig.panel.count(), proc_cpu_seconds(pid), time.monotonic()
        time.sleep(args.seconds)
        cpu1, t1, posts1 = proc_cpu_seconds(pid), time.monotonic(), rig.panel.count()
        mem = memory_kib(pid)
        share = (cpu1 - cpu0) / (t1 - t0) * 100
        print(f"idle with {args.clients} clients over {t1 - t0:.0f} s: {posts1 - posts0} POSTs, "
              f"CPU {cpu1 - cpu0:.2f} s = {share:.3f} % of one core; "
              f"RSS {mem['Rss'] / 1024:.1f} MiB (PSS {mem['Pss'] / 1024:.1f}, anonymous {mem['Anonymous'] / 1024:.1f}, "
              f"private dirty {mem['Private_Dirty'] / 1024:.1f}, shared-library clean pages "
              f"{(mem['Private_Clean'] + mem['Shared_Clean']) / 1024:.1f})")
    finally:
        rig.close()


def bench_storm(args):
    rig = Rig()
    try:
        names = [f"storm-{i}" for i in range(args.clients)]
        mark = rig.panel.count()
        clients = [new_client(rig, rig.udp if i % 2 == 0 else rig.tcp, n) for i, n in enumerate(names)]
        for c in clients:
            c.start(wait=False)
        expected = set(names)
        first = rig.panel.wait_for_payload(lambda p: set(users_by_name(p)) == expected, 120, after=mark)
        connect_report = storm_report(rig.panel, mark, first, "connect")
        time.sleep(3)
        mark = rig.panel.count()
        for c in clients:
            c.proc.send_signal(15)
        rig.panel.wait_for_payload(lambda p: not p["users"], 60, after=mark)
        time.sleep(0.5)
        leave_report = storm_report(rig.panel, mark, None, "disconnect", final=lambda p: not p["users"])
        print(f"storm of {args.clients} connects: {connect_report}")
        print(f"storm of {args.clients} leaves (half UDP: sessions end 5 s after exit notice): {leave_report}")
    finally:
        rig.close()


def storm_report(panel, mark, _first, kind, final=None):
    import json
    with panel.lock:
        requests = list(panel.requests[mark:])
    bodies = [(r["arrived"], json.loads(r["body"])) for r in requests]
    hooks = [e["hook_ts_us"] / 1e6 for _, b in bodies for e in b["events"] if e["event"] == kind]
    last_event = max(hooks)
    if final is None:
        target = max(len(b["users"]) for _, b in bodies)
        final = lambda p: len(p["users"]) == target  # noqa: E731
    exact = next(t for t, b in bodies if final(b) and t >= last_event)
    by_trigger = {}
    for _, b in bodies:
        by_trigger[b["trigger"]] = by_trigger.get(b["trigger"], 0) + 1
    return (f"{len(bodies)} POSTs ({', '.join(f'{v} {k}' for k, v in sorted(by_trigger.items()))}) for "
            f"{len(hooks)} events over {last_event - min(hooks):.2f} s; last event to exact POST "
            f"{(exact - last_event) * 1000:.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["latency", "idle", "storm"])
    parser.add_argument("--clients", type=int)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    if args.clients is None:
        args.clients = {"latency": 40, "idle": 50, "storm": 60}[args.what]
    {"latency": bench_latency, "idle": bench_idle, "storm": bench_storm}[args.what](args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What a WireGuard source costs per poll: the daemon polls one real userspace interface
(wireguard-go) with N peers every 2 seconds for a window, once over its UAPI socket (how it
reads userspace interfaces) and once by running `wg show IFACE dump` (how it reads kernel
interfaces; forced here with an empty WG_UAPI_DIR). Run as root from the repository root:

    python3 -m bench.wg_cost [--peers 10 1000] [--seconds 60]

Reports, per poll: the wall time of the query as the payload's sources[].took_ms says (median),
and the CPU it cost the daemon, the wg children it reaped, and wireguard-go answering.
"""
import argparse
import base64
import json
import os
import statistics
import time

from tests.lib.harness import Aggregator, NetNamespace, PanelStandIn, Processes, WireGuardInterface, Workdir


def cpu_seconds(pid):
    """utime + stime of the process, and cutime + cstime of the children it has reaped."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def spawn_floor_ms(runs=200):
    """CPU of starting and reaping a process that does nothing: the floor of any forking source."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        pid = os.posix_spawn("/bin/true", ["true"], {})
        os.waitpid(pid, 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / runs * 1000


def run(peers, seconds, via):
    procs, work = Processes(), Workdir(prefix="omp-wgbench-")
    ns = NetNamespace("omp-wgb")
    panel = PanelStandIn()
    try:
        wg = WireGuardInterface(procs, work, ns, "10.210.0.1", prefix=16)
        conf = work.join("peers.conf")
        with open(conf, "w") as f:
            for i in range(peers):
                key = base64.b64encode(os.urandom(32)).decode()
                f.write(f"[Peer]\nPublicKey = {key}\nAllowedIPs = 10.210.{1 + i // 250}.{1 + i % 250}/32\n"
                        f"Endpoint = 192.0.2.{1 + i % 250}:{20000 + i}\n")
        wg.wg("addconf", wg.name, conf)
        sock = work.join("events.sock")
        env = dict(os.environ, MGMT_ENDPOINTS="")
        if via == "wg":
            env["WG_UAPI_DIR"] = work.join("no-sockets")
            os.makedirs(env["WG_UAPI_DIR"])
        daemon = Aggregator(procs, work, ["--wg", f"wg={wg.name}", "--url", panel.url(), "--interval", "2",
                                          "--event-socket", sock], env=env).start(sock)
        time.sleep(3)
        pid = daemon.proc.pid
        mark = panel.count()
        own0, children0 = cpu_seconds(pid)
        go0 = sum(cpu_seconds(wg.proc.pid))
        t0 = time.monotonic()
        time.sleep(seconds)
        own1, children1 = cpu_seconds(pid)
        go1 = sum(cpu_seconds(wg.proc.pid))
        t1 = time.monotonic()
        posts = [json.loads(r["body"]) for r in panel.requests[mark:]]
        took = [s["took_ms"] for p in posts for s in p["sources"] if s["name"] == "wg" and s["ok"]]
        assert len(took) == len(posts), "a poll of the interface failed"
        ticks = len(posts)
        per_tick = lambda cpu: cpu / ticks * 1000
        total = (own1 - own0) + (children1 - children0) + (go1 - go0)
        floor = spawn_floor_ms()
        print(f"via {via}: {peers} peers, {ticks} polls over {t1 - t0:.0f} s: query took {statistics.median(took):.2f} ms "
              f"(median, wall); CPU per poll: daemon {per_tick(own1 - own0):.2f} ms, wg {per_tick(children1 - children0):.2f} ms, "
              f"wireguard-go {per_tick(go1 - go0):.2f} ms; all together {total / (t1 - t0) * 100:.3f} % of one core; "
              f"spawning /bin/true alone costs {floor:.2f} ms CPU here")
    finally:
        procs.stop_all()
        panel.close()
        ns.remove()
        work.remove()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--peers", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    for peers in args.peers:
        for via in ("uapi", "wg"):
            run(peers, args.seconds, via)


if __name__ == "__main__":
    main()

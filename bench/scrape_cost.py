#!/usr/bin/env python3
"""The cost of one scrape of GET /metrics over HTTP, with 1,000 and 10,000 sessions (issue #16).
Run as root from the repository root after a build:

    python3 -m bench.scrape_cost [--scrapes 30]

Real OpenVPN cannot hold 10,000 clients on this machine, so the daemon polls the e2e harness's
management stand-in listing N sessions (what a server that large answers), then a client scrapes
/metrics `--scrapes` times; reported: the median and 90th percentile time of a whole scrape (connect,
request, the body read to its end) and the body's bytes, with and without --metrics-no-sessions.
"""
import argparse
import statistics
import time
import urllib.request

from tests.lib.harness import (Aggregator, FakeManagement, free_port, PanelStandIn, Processes, wait_until,
                               Workdir)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scrapes", type=int, default=30)
    args = ap.parse_args()
    for rows in (1000, 10000):
        for per_session in (True, False):
            procs, work = Processes(), Workdir(prefix="omp-scrape-")
            fake, panel = FakeManagement("ok", rows=rows), PanelStandIn()
            try:
                port = free_port()
                sock = work.join("events.sock")
                flags = [] if per_session else ["--metrics-no-sessions"]
                Aggregator(procs, work, ["--mgmt", f"udp={fake.address}", "--url", panel.url(),
                                         "--event-socket", sock, "--metrics-listen", f"127.0.0.1:{port}",
                                         *flags]).start(sock)
                url = f"http://127.0.0.1:{port}/metrics"

                def body():
                    with urllib.request.urlopen(url, timeout=10) as answer:
                        return answer.read()

                wait_until(lambda: b"ovpn_mgmt_push_users %d\n" % rows in body(), 30, interval=0.2,
                           what=f"a cycle listing {rows} sessions")
                times, size = [], 0
                for _ in range(args.scrapes):
                    t0 = time.perf_counter()
                    size = len(body())
                    times.append(time.perf_counter() - t0)
                times.sort()
                print(f"{rows} sessions, per-session series {'on' if per_session else 'off'}: scrape p50 "
                      f"{statistics.median(times) * 1000:.1f} ms, p90 {times[int(0.9 * len(times))] * 1000:.1f} ms; "
                      f"{size:,} bytes")
            finally:
                procs.stop_all()
                fake.close()
                panel.close()
                work.remove()


if __name__ == "__main__":
    main()

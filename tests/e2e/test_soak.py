"""Soak (bounded: SOAK_SECONDS, default 60): clients churn on both real servers while the panel
flaps between accepting, failing and refusing. Afterwards the daemon's open descriptors and
memory are flat and every ended session's record has reached the panel."""
import os
import threading
import time
import unittest

from tests.lib.harness import Aggregator, new_client, TwoServers, wait_until

SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Soak(TwoServers):
    def test_churn_with_a_flapping_panel_leaks_nothing_and_loses_no_record(self):
        procs, work, panel, sock = self.procs, self.work, self.panel, self.socket
        udp, tcp = self.udp, self.tcp
        daemon = Aggregator(procs, work, ["--mgmt", f"udp={udp.mgmt_address}", "--mgmt", f"tcp={tcp.mgmt_address}",
                                          "--url", panel.url(), "--interval", "0.5", "--event-socket", sock,
                                          "--event-user", "nobody"]).start(sock)
        pid = daemon.proc.pid

        stop = threading.Event()

        def flap():  # accept 3 s, fail 2 s, accept 3 s, time out 2 s, ...
            phases = [(200, 0, 3), (503, 0, 2), (200, 0, 3), (200, 6, 2)]
            while not stop.is_set():
                for status, delay, length in phases:
                    panel.set(status=status, delay=delay)
                    if stop.wait(length):
                        break
            panel.set(status=200, delay=0)

        flapper = threading.Thread(target=flap)
        flapper.start()
        ended, samples, round_no = [], [], 0
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            clients = [new_client(self, udp if i % 2 else tcp, f"soak-{round_no}-{i}")
                       for i in range(4)]
            for c in clients:
                c.start(wait=False)
            for c in clients:
                c.wait_connected(30)
            time.sleep(0.5)
            for c in clients:
                c.stop()
                procs.children.remove(c.proc)  # stopped: no longer ours to stop
                ended.append(c.cert_name)
            round_no += 1
            samples.append((time.monotonic(), rss_kib(pid), open_fds(pid)))
        stop.set()
        flapper.join()

        def arrived():
            got = {r["username"] for p in panel.accepted() for r in p["sessions_ended"]}
            return set(ended) <= got

        wait_until(arrived, 30, what=f"records of all {len(ended)} ended sessions")
        self.assertIsNone(daemon.proc.poll())
        warm = [s for s in samples if s[0] > samples[0][0] + 10] or samples
        rss = [s[1] for s in warm]
        fds = [s[2] for s in warm]
        print(f"\nsoak: {round_no} rounds, {len(ended)} sessions ended; RSS {min(rss)}..{max(rss)} KiB; "
              f"fds {min(fds)}..{max(fds)}; {panel.count()} POSTs ({len(panel.accepted())} accepted)")
        self.assertLessEqual(max(fds) - min(fds), 3)       # a query or a POST in flight at most
        self.assertLessEqual(max(rss) - min(rss), 2048)    # flat within 2 MiB
        self.assertGreater(len(ended), 20)


if __name__ == "__main__":
    unittest.main()

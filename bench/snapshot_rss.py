#!/usr/bin/env python3
"""Peak RSS and wall time of `ovpn-mgmt-push snapshot` with two endpoints of N sessions each.

OpenVPN cannot be made to hold 10,000 real sessions here, so two local stand-ins speak the
management protocol (greeting, `status 3`, END) with output in OpenVPN 2.6's exact layout.
Usage: bench/snapshot_rss.py [BINARY] [N ...]     (default build/pusher/ovpn-mgmt-push, 1000 10000)
"""
import os
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def status_text(n, offset):
    lines = ["TITLE\tOpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [PKCS11] [MH/PKTINFO] [AEAD] [DCO]",
             "TIME\t2026-11-25 23:00:00\t1795647600",
             "HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\tBytes Received\t"
             "Bytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\tPeer ID\tData Channel Cipher"]
    for i in range(n):
        u = i + offset
        lines.append(f"CLIENT_LIST\tclient-{u}\t198.51.{u // 250 % 250}.{u % 250 + 1}:{1024 + i % 60000}\t"
                     f"10.{8 + i // 65000}.{i // 250 % 250}.{i % 250 + 2}\t\t{1000000 + i * 37}\t{2000000 + i * 91}\t"
                     f"2026-11-25 22:00:00\t{1795644000 + i}\tuser-{u}\t{i}\t{i}\tAES-256-GCM")
    lines += ["GLOBAL_STATS\tMax bcast/mcast queue length\t0", "END"]
    return ("\r\n".join(lines) + "\r\n").encode()


class StandIn:
    def __init__(self, payload):
        self.payload = payload
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            conn, _ = self.sock.accept()
            with conn:
                conn.sendall(b">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n")
                f = conn.makefile("rb")
                f.readline()  # status 3
                conn.sendall(self.payload)
                f.readline()  # quit


def measure(binary, n):
    a, b = StandIn(status_text(n, 0)), StandIn(status_text(n, n - n // 10))
    t0 = time.monotonic()
    # GNU time reports the peak RSS of the program it runs; Python's own rusage would count
    # the forked copy of this interpreter before exec.
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "snapshot", "--config", "/dev/null", "--mgmt-timeout", "30",
                           "--mgmt", f"a=127.0.0.1:{a.port}", "--mgmt", f"b=127.0.0.1:{b.port}"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    peak_kib = int(proc.stderr.decode().strip().splitlines()[-1])
    return wall, peak_kib, len(proc.stdout)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build", "pusher", "ovpn-mgmt-push")
    sizes = [int(x) for x in sys.argv[2:]] or [1000, 10000]
    for n in sizes:
        wall, peak, body = measure(binary, n)
        print(f"snapshot {n}+{n} sessions: wall {wall * 1000:.0f} ms, peak RSS {peak / 1024:.1f} MiB, body {body / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

"""Live demo of ovpn-mgmt-push: real servers, plugin, daemon, panel stand-in and clients.

    sudo ./demo/run.sh            # loops until Ctrl-C
    sudo ./demo/run.sh --once     # one round of the scenario, then stops (used by the tests)
"""
import argparse
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import (Aggregator, OpenVPNClient, OpenVPNServer, PanelStandIn, Pki, Processes,  # noqa: E402
                     Workdir)

START = time.time()


def show(arrived, body):
    try:
        p = json.loads(body)
    except ValueError:
        print("panel: got a body that is not JSON", flush=True)
        return
    events = ", ".join(f"{e['event']} {e['username']}@{e['instance']}" for e in p.get("events", []))
    users = "  ".join(f"{u['username']}({u['proto']} {u['virtual_ip']})" for u in p["users"]) or "-"
    down = [s["name"] for s in p.get("sources", []) if not s["ok"]]
    line = f"[{arrived - START:6.2f}s] POST {p['trigger']:<8} clients={p['clients']}  {users}"
    if events:
        line += f"   <- {events}"
    if down:
        line += f"   (down: {', '.join(down)})"
    print(line, flush=True)


def say(text):
    print(f"[{time.time() - START:6.2f}s] ---- {text}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--once", action="store_true", help="run the scenario once, then stop")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("the demo starts OpenVPN servers: run it as root")

    procs = Processes()
    work = Workdir(prefix="omp-demo-")
    panel = PanelStandIn(on_request=show)
    stopping = False

    def on_signal(*_):
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        say(f"working in {work.path}; making a PKI")
        pki = Pki(work.join("pki"))
        sock = work.join("run", "events.sock")
        udp = OpenVPNServer(procs, work, pki, "udp", "udp", event_socket=sock, subnet_octet=88,
                            drop_privileges=True).start()
        tcp = OpenVPNServer(procs, work, pki, "tcp", "tcp", event_socket=sock, subnet_octet=89).start()
        say(f"OpenVPN udp on 127.0.0.1:{udp.port} (management {udp.mgmt_port}, runs as nobody), "
            f"tcp on 127.0.0.1:{tcp.port} (management {tcp.mgmt_port})")
        daemon = Aggregator(procs, work, ["--mgmt", f"udp={udp.mgmt_address}", "--mgmt", f"tcp={tcp.mgmt_address}",
                                          "--url", panel.url(), "--interval", "2", "--event-socket", sock,
                                          "--event-user", "nobody"]).start(sock)
        say(f"ovpn-mgmt-push run (pid {daemon.proc.pid}) posts to {panel.url()}; its log: {daemon.log}")

        while True:
            say("alice connects over UDP")
            alice_udp = OpenVPNClient(procs, work, pki, udp, "alice", username="alice").start()
            time.sleep(3)
            say("bob connects over TCP")
            bob = OpenVPNClient(procs, work, pki, tcp, "bob", username="bob").start()
            time.sleep(3)
            say("alice also connects over TCP: still one alice, the newest session")
            alice_tcp = OpenVPNClient(procs, work, pki, tcp, "alice", username="alice").start()
            time.sleep(3)
            say("bob leaves (TCP: the panel hears it at once)")
            bob.stop()
            time.sleep(3)
            say("alice leaves both (UDP: OpenVPN ends the session 5 s after the exit notice)")
            alice_tcp.stop()
            alice_udp.stop()
            time.sleep(8)
            if args.once:
                break
    except KeyboardInterrupt:
        pass
    finally:
        say("stopping everything")
        procs.stop_all()
        panel.close()
        work.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())

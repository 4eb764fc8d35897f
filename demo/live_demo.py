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

from tests.lib.harness import (Aggregator, NetNamespace, OpenVPNClient, OpenVPNServer, PanelStandIn, Pki,
                               Processes, WireGuardInterface, Workdir)

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


def wireguard_pair(procs, work, namespaces):
    """A WireGuard interface (the server's) and one peer, each in a network namespace of its own;
    the server knows the peer, the peer does not know the server yet."""
    server_ns, peer_ns = NetNamespace("omp-demo-wg"), NetNamespace("omp-demo-peer")
    namespaces += [server_ns, peer_ns]
    server_ns.link_to(peer_ns, "10.91.0.1", "10.91.0.2")
    wg = WireGuardInterface(procs, work, server_ns, "10.90.0.1")
    peer = WireGuardInterface(procs, work, peer_ns, "10.90.0.2")
    wg.add_peer(peer.public_key, "10.90.0.2/32")
    return wg, peer


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
    namespaces = []
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
        wg, carol = wireguard_pair(procs, work, namespaces)
        peers = work.join("wg-peers")
        with open(peers, "w") as f:
            f.write(f"{carol.public_key} carol\n")
        say(f"WireGuard {wg.name} (wireguard-go) in namespace {namespaces[0].name}; its peer carol in "
            f"{namespaces[1].name}")
        daemon = Aggregator(procs, work, ["--mgmt", f"udp={udp.mgmt_address}", "--mgmt", f"tcp={tcp.mgmt_address}",
                                          "--wg", f"wg={wg.name}", "--wg-peers", peers,
                                          "--url", panel.url(), "--interval", "2", "--event-socket", sock,
                                          "--event-user", "nobody"]).start(sock)
        say(f"ovpn-mgmt-push run (pid {daemon.proc.pid}) posts to {panel.url()}; its log: {daemon.log}")

        say("carol's WireGuard peer comes up (keepalive 25 s): it shakes hands at once, seen on the next poll")
        carol.add_peer(wg.public_key, "10.90.0.1/32", endpoint=f"10.91.0.1:{wg.port}", keepalive=25)
        time.sleep(3)
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
        try:
            say("stopping everything")
        except OSError:  # stdout gone (a closed pipe): clean up all the same
            pass
        procs.stop_all()
        for ns in namespaces:
            ns.remove()
        panel.close()
        work.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())

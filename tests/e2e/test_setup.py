"""`ovpn-mgmt-push setup` on sample server configs, and an amended config run by real OpenVPN."""
import errno
import glob
import grp
import json
import os
import pwd
import re
import signal
import socket
import unittest

from tests.lib.harness import (PLUGIN, Aggregator, new_client, OpenVPNServer, own_setting, run_binary,
                               users_by_name, wait_until, Workdir)

FRESH = """port 1194
proto udp
dev tun
server 10.8.0.0 255.255.255.0
<ca>
-----BEGIN CERTIFICATE-----
MIIBdummy
-----END CERTIFICATE-----
</ca>
verb 3
"""
OLD_HOOKS = FRESH.replace("verb 3\n", "script-security 2\n"
                          "client-connect \"/usr/local/bin/ovpn-mgmt-push.sh connect\"\n"
                          "client-disconnect /usr/local/bin/ovpn-mgmt-push.sh\nverb 3\n")
SET_UP = FRESH.replace("proto udp", "proto tcp-server") + (
    "plugin /usr/lib/x86_64-linux-gnu/openvpn/plugins/openvpn-plugin-mgmt-push.so instance=tcp "
    "socket=/run/ovpn-mgmt-push/events.sock\nmanagement 127.0.0.1 7506\n")
NO_MANAGEMENT = FRESH.replace("proto udp", "proto tcp-server") + (
    "plugin /usr/lib/x86_64-linux-gnu/openvpn/plugins/openvpn-plugin-mgmt-push.so instance=tcp "
    "socket=/run/ovpn-mgmt-push/events.sock\n")
CLIENT = "client\nremote vpn.example.com 1194\n"


class Setup(unittest.TestCase):
    def setUp(self):
        self.work = Workdir(prefix="omp-setup-")
        self.addCleanup(self.work.remove)
        # Where setup puts the management sockets it adds: root's, closed to others, as
        # Debian's /run/openvpn-server is.
        self.mgmt_dir = self.work.join("mgmt")
        os.mkdir(self.mgmt_dir, 0o710)

    def write(self, name, text, mode=0o600):
        path = self.work.join(name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def read(self, name):
        with open(self.work.join(name)) as f:
            return f.read()

    def setup(self, *args):
        return run_binary("setup", "--search-dir", self.work.path, "--mgmt-socket-dir", self.mgmt_dir, *args)

    def socket_for(self, name):
        return f"{self.mgmt_dir}/ovpn-mgmt-push-{name}.sock"

    def backups(self):
        return sorted(glob.glob(self.work.join("*.bak-ovpn-mgmt-push-*")))

    def test_fresh_config_gets_plugin_and_management_and_a_backup(self):
        self.write("server.conf", FRESH)
        status, out, err = self.setup()
        self.assertEqual(status, 0, err)
        text = self.read("server.conf")
        # The plugin's installed path depends on the build's prefix.
        self.assertRegex(text, r"\nplugin /\S+/openvpn/plugins/openvpn-plugin-mgmt-push\.so instance=udp "
                               r"socket=/run/ovpn-mgmt-push/events\.sock\n")
        self.assertIn(f"\nmanagement {self.socket_for('udp')} unix\n", text)
        self.assertTrue(text.startswith(FRESH))
        [backup] = self.backups()
        with open(backup) as f:
            self.assertEqual(f.read(), FRESH)
        self.assertEqual(os.stat(backup).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(self.work.join("server.conf")).st_mode & 0o777, 0o600)
        self.assertIn(f"MGMT_ENDPOINTS=udp=unix:{self.socket_for('udp')}", out)

    def test_running_twice_changes_nothing_the_second_time(self):
        self.write("server.conf", OLD_HOOKS)
        self.setup()
        once = self.read("server.conf")
        status, out, _ = self.setup()
        self.assertEqual(status, 0)
        self.assertEqual(self.read("server.conf"), once)
        self.assertEqual(len(self.backups()), 1)
        self.assertIn("already set up", out)

    def test_already_set_up_config_is_left_alone(self):
        self.write("server-tcp.conf", SET_UP)
        status, out, _ = self.setup()
        self.assertEqual(status, 0)
        self.assertEqual(self.read("server-tcp.conf"), SET_UP)
        self.assertEqual(self.backups(), [])
        self.assertIn("MGMT_ENDPOINTS=tcp=127.0.0.1:7506", out)  # and a warning: see below

    def test_old_hook_lines_are_removed(self):
        self.write("server.conf", OLD_HOOKS)
        self.setup()
        text = self.read("server.conf")
        self.assertNotIn("ovpn-mgmt-push.sh", text)
        self.assertIn("script-security 2", text)

    def test_missing_management_line_is_added_as_a_root_only_socket(self):
        self.write("server-tcp.conf", NO_MANAGEMENT)
        status, out, _ = self.setup()
        self.assertEqual(status, 0)
        text = self.read("server-tcp.conf")
        self.assertIn(f"\nmanagement {self.socket_for('tcp')} unix\n", text)
        self.assertEqual(text.count("plugin "), 1)

    def test_udp_and_tcp_configs_get_distinct_instances_and_sockets(self):
        self.write("server.conf", FRESH)
        self.write("server-tcp.conf", FRESH.replace("proto udp", "proto tcp-server"))
        _, out, _ = self.setup()
        self.assertIn(f"MGMT_ENDPOINTS=tcp=unix:{self.socket_for('tcp')},udp=unix:{self.socket_for('udp')}", out)

    def test_client_configs_are_skipped(self):
        self.write("client.conf", CLIENT)
        self.write("server.conf", FRESH)
        self.setup()
        self.assertEqual(self.read("client.conf"), CLIENT)

    def test_dry_run_prints_the_diff_and_changes_nothing(self):
        self.write("server.conf", OLD_HOOKS)
        status, out, _ = self.setup("--dry-run")
        self.assertEqual(status, 0)
        self.assertEqual(self.read("server.conf"), OLD_HOOKS)
        self.assertEqual(self.backups(), [])
        self.assertIn("--- " + self.work.join("server.conf"), out)
        self.assertIn("\n-client-connect \"/usr/local/bin/ovpn-mgmt-push.sh connect\"\n", out)
        self.assertIn(f"\n+management {self.socket_for('udp')} unix\n", out)

    def test_an_unparsable_config_is_refused_and_nothing_changes(self):
        self.write("server.conf", FRESH)
        self.write("broken.conf", FRESH.replace("</ca>\n", ""))
        status, _, err = self.setup()
        self.assertEqual(status, 1)
        self.assertIn("broken.conf:5: <ca> is never closed", err)
        self.assertIn("nothing changed", err)
        self.assertEqual(self.read("server.conf"), FRESH)
        self.assertEqual(self.backups(), [])

    def test_a_password_less_tcp_management_line_is_kept_and_its_danger_said_once(self):
        self.write("server-tcp.conf", SET_UP)
        status, out, _ = self.setup()
        self.assertEqual(status, 0)
        self.assertEqual(out.count("warning: management on 127.0.0.1:7506 has no password: any local user can "
                                   "connect to it, kill clients"), 1, out)
        self.assertIn("--secure-management", out)

    def test_secure_management_moves_it_to_a_root_only_socket(self):
        self.write("server-tcp.conf", SET_UP)
        status, out, _ = self.setup("--secure-management")
        self.assertEqual(status, 0)
        text = self.read("server-tcp.conf")
        self.assertNotIn("management 127.0.0.1 7506", text)
        self.assertIn(f"\nmanagement {self.socket_for('tcp')} unix\n", text)
        self.assertIn(f"moved management from 127.0.0.1:7506 to {self.socket_for('tcp')}", out)
        self.assertIn(f"MGMT_ENDPOINTS=tcp=unix:{self.socket_for('tcp')}", out)
        self.assertNotIn("warning", out)
        self.assertEqual(len(self.backups()), 1)

    def test_a_socket_directory_others_can_enter_is_refused_and_nothing_changes(self):
        self.write("server.conf", FRESH)
        os.chmod(self.mgmt_dir, 0o755)
        status, _, err = self.setup()
        self.assertEqual(status, 1)
        self.assertIn(f"management socket directory `{self.mgmt_dir}' is not a directory of root's that other "
                      "users cannot enter (mode 0755", err)
        self.assertEqual(self.read("server.conf"), FRESH)
        os.chmod(self.mgmt_dir, 0o770)  # a group other than root's may enter
        os.chown(self.mgmt_dir, 0, grp.getgrnam("users").gr_gid)
        status, _, err = self.setup()
        self.assertEqual(status, 1)
        self.assertIn("(mode 0770, uid 0, gid", err)
        self.assertEqual(self.read("server.conf"), FRESH)

    def test_a_given_client_config_is_refused(self):
        path = self.write("client.conf", CLIENT)
        status, _, err = run_binary("setup", "--config", path)
        self.assertEqual(status, 1)
        self.assertIn("not an OpenVPN server config", err)

    def test_a_bad_setup_option_is_a_usage_error(self):
        status, _, err = run_binary("setup", "--frob")
        self.assertEqual(status, 2)
        self.assertIn("`--frob'", err)

    def test_a_linked_config_is_edited_at_its_target_and_the_link_stays_a_link(self):
        real = Workdir(prefix="omp-setup-real-")
        self.addCleanup(real.remove)
        target = real.join("server.conf")
        with open(target, "w") as f:
            f.write(FRESH)
        os.chmod(target, 0o640)
        os.symlink(target, self.work.join("server.conf"))
        status, out, err = self.setup()
        self.assertEqual(status, 0, err)
        self.assertTrue(os.path.islink(self.work.join("server.conf")))
        self.assertEqual(os.readlink(self.work.join("server.conf")), target)
        with open(target) as f:
            self.assertIn("openvpn-plugin-mgmt-push.so instance=udp", f.read())
        self.assertEqual(os.stat(target).st_mode & 0o7777, 0o640)
        self.assertEqual(len(glob.glob(target + ".bak-ovpn-mgmt-push-*")), 1)
        self.assertIn(f"({target})", out)

    def test_a_link_and_its_target_are_one_server_with_one_endpoint(self):
        self.write("server.conf", FRESH)
        os.symlink(self.work.join("server.conf"), self.work.join("alias.conf"))
        status, out, err = self.setup()
        self.assertEqual(status, 0, err)
        self.assertIn(f"MGMT_ENDPOINTS=udp=unix:{self.socket_for('udp')}\n", out)
        self.assertTrue(os.path.islink(self.work.join("alias.conf")))
        self.assertEqual(self.read("server.conf").count("openvpn-plugin-mgmt-push.so"), 1)

    def test_a_dangling_link_is_refused_by_name_and_nothing_changes(self):
        self.write("server.conf", FRESH)
        os.symlink(self.work.join("gone.conf.orig"), self.work.join("broken.conf"))
        status, out, err = self.setup()
        self.assertEqual(status, 1)
        self.assertIn("cannot resolve `" + self.work.join("broken.conf"), err)
        self.assertEqual(self.read("server.conf"), FRESH)


def connects_as(uid, path):
    """Whether a process of `uid` can connect to the unix socket at `path` (its errno if not)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        result = b"ok"
        try:
            os.setgid(uid)
            os.setuid(uid)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(2)
            s.connect(path)
        except OSError as e:
            result = errno.errorcode.get(e.errno, str(e.errno)).encode()
        finally:
            os.write(write_end, result)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        answer = f.read().decode()
    os.waitpid(pid, 0)
    return answer


def without_lines(server, starts):
    """The server's config as an operator has it before setup: without the lines that start
    with `starts`, which the harness writes and setup must add."""
    with open(server.conf) as f:
        text = "".join(line for line in f if not line.startswith(starts))
    with open(server.conf, "w") as f:
        f.write(text)
    return server


class SetUpConfigRunsInRealOpenVPN(unittest.TestCase):
    def setUp(self):
        own_setting(self, self.addCleanup, prefix="omp-setup-run-", servers=True)

    def test_the_added_management_socket_keeps_every_local_user_out_and_survives_sighup_and_sigusr1(self):
        procs, work, pki, sock = self.procs, self.work, self.pki, self.socket
        os.chmod(work.path, 0o755)  # so only the socket directory keeps others out
        mgmt_dir = work.join("mgmt")
        os.mkdir(mgmt_dir, 0o710)
        # Configs as operators have them before setup (no plugin, no management line): one
        # that drops privileges to nobody, one that stays root.
        as_nobody = without_lines(OpenVPNServer(procs, work, pki, "udp", "udp", event_socket=sock,
                                                drop_privileges=True), ("plugin ", "management "))
        as_root = without_lines(OpenVPNServer(procs, work, pki, "tcp", "tcp", event_socket=sock),
                                ("plugin ", "management "))
        status, out, err = run_binary("setup", "--config", as_nobody.conf, "--config", as_root.conf,
                                      "--plugin", os.path.abspath(PLUGIN), "--event-socket", sock,
                                      "--mgmt-socket-dir", mgmt_dir)
        self.assertEqual(status, 0, err)
        endpoints = re.search(r"MGMT_ENDPOINTS=(\S+)", out).group(1)
        self.assertEqual(endpoints, f"udp=unix:{mgmt_dir}/ovpn-mgmt-push-udp.sock,"
                                    f"tcp=unix:{mgmt_dir}/ovpn-mgmt-push-tcp.sock")
        for server in (as_nobody, as_root):
            server.start()
        self.assertIn("UID set to nobody", as_nobody.read_log())

        def sources_ok():
            status, out, err = run_binary("snapshot", "--config", "/dev/null",
                                          env=dict(os.environ, MGMT_ENDPOINTS=endpoints))
            self.assertEqual(status, 0, err)
            return {s["name"]: s["ok"] for s in json.loads(out)["sources"]}

        def restart(server, sig):
            inits = server.read_log().count("Initialization Sequence Completed")
            os.kill(server.proc.pid, sig)
            wait_until(lambda: server.read_log().count("Initialization Sequence Completed") > inits, 20,
                       what=f"OpenVPN to restart after {sig.name}")
            wait_until(lambda: sources_ok() == {"udp": True, "tcp": True}, 10,
                       what=f"both managements to answer after {sig.name}")

        new_client(self, as_nobody, "behind-the-socket").start()
        self.assertEqual(sources_ok(), {"udp": True, "tcp": True})
        for user in ("nobody", "daemon"):  # OpenVPN's own user, and another unprivileged one
            for name in ("udp", "tcp"):
                self.assertEqual(connects_as(pwd.getpwnam(user).pw_uid, f"{mgmt_dir}/ovpn-mgmt-push-{name}.sock"),
                                 "EACCES", (user, name))
        # A server that dropped privileges survives SIGUSR1 (SIGHUP reopens its tun device,
        # which OpenVPN cannot do as nobody, with or without us); the root one survives both.
        restart(as_nobody, signal.SIGUSR1)
        restart(as_root, signal.SIGHUP)
        restart(as_root, signal.SIGUSR1)
        self.assertEqual(connects_as(pwd.getpwnam("nobody").pw_uid, f"{mgmt_dir}/ovpn-mgmt-push-udp.sock"),
                         "EACCES")

    def test_amended_config_loads_the_plugin_and_events_reach_the_daemon(self):
        procs, work, pki, panel, sock = self.procs, self.work, self.pki, self.panel, self.socket
        server = without_lines(OpenVPNServer(procs, work, pki, "udp", "udp", event_socket=sock), ("plugin ",))
        status, out, err = run_binary("setup", "--config", server.conf, "--plugin", os.path.abspath(PLUGIN),
                                      "--event-socket", sock)
        self.assertEqual(status, 0, err)
        self.assertIn(f"MGMT_ENDPOINTS=udp=127.0.0.1:{server.mgmt_port}", out)
        Aggregator(procs, work, ["--mgmt", f"udp={server.mgmt_address}", "--url", panel.url(),
                                 "--interval", "60", "--event-socket", sock]).start(sock)
        server.start()
        mark = panel.count()
        new_client(self, server, "via-setup").start()
        payload = panel.wait_for_payload(lambda p: any(e["username"] == "via-setup" for e in p["events"]), 10,
                                         after=mark)
        self.assertIn("via-setup", users_by_name(payload))


if __name__ == "__main__":
    unittest.main()

"""The command line as an operator meets it: usage errors exit 2 and name the bad value."""
import os
import pwd
import shutil
import socket
import subprocess
import time
import unittest

from tests.lib.harness import BINARY, FakeManagement, Workdir, run_binary, wait_until


class NoSecretsInDumps(unittest.TestCase):
    def test_the_process_makes_itself_non_dumpable_so_its_own_user_cannot_read_its_memory(self):
        # Run as nobody, with an endpoint that never answers so that it lives a while. A
        # dumpable process's /proc/PID files belong to its user; a non-dumpable one's to root.
        work = Workdir(prefix="omp-dumpable-")
        self.addCleanup(work.remove)
        binary = shutil.copy(BINARY, work.join("ovpn-mgmt-push"))
        os.chmod(binary, 0o755)
        fake = FakeManagement("silent")
        self.addCleanup(fake.close)
        nobody = pwd.getpwnam("nobody")
        proc = subprocess.Popen([binary, "snapshot", "--config", "/dev/null", "--mgmt", f"x={fake.address}",
                                 "--mgmt-timeout", "3"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[])
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        def started():
            with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                return f.read().startswith(binary.encode())
        wait_until(started, 2, what="the program to start")
        time.sleep(0.3)  # past main()'s first line
        with open(f"/proc/{proc.pid}/status") as f:
            uid = next(line.split()[1] for line in f if line.startswith("Uid:"))
        self.assertEqual(int(uid), nobody.pw_uid)
        self.assertEqual(os.stat(f"/proc/{proc.pid}/environ").st_uid, 0)
        self.assertEqual(os.stat(f"/proc/{proc.pid}/mem").st_uid, 0)


class CommandLine(unittest.TestCase):
    def assert_usage_error(self, args, quoted, env=None):
        status, out, err = run_binary(*args, env=env)
        self.assertEqual(status, 2, err)
        self.assertIn(quoted, err)
        self.assertEqual(out, "")

    def test_bad_management_address_exits_2_naming_it(self):
        self.assert_usage_error(["snapshot", "--config", "/dev/null", "--mgmt", "udp=127.0.0.1:75o5"],
                                "`udp=127.0.0.1:75o5'")

    def test_bad_interval_exits_2_naming_it(self):
        self.assert_usage_error(["run", "--config", "/dev/null", "--url", "http://127.0.0.1:1/x",
                                 "--interval", "often"], "`often'")

    def test_bad_interval_variable_exits_2_naming_it(self):
        env = dict(os.environ, PUSH_INTERVAL="0")
        self.assert_usage_error(["snapshot", "--config", "/dev/null"], "`0'", env=env)

    def test_bad_url_exits_2_naming_it(self):
        self.assert_usage_error(["push", "--config", "/dev/null", "--url", "gopher://panel/x"],
                                "`gopher://panel/x'")

    def test_unknown_flag_exits_2_naming_it(self):
        self.assert_usage_error(["snapshot", "--config", "/dev/null", "--frobnicate"], "`--frobnicate'")

    def test_push_without_url_exits_2(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PANEL_")}
        self.assert_usage_error(["push", "--config", "/dev/null"], "no panel URL", env=env)

    def test_url_credentials_never_reach_the_log(self):
        status, _, err = run_binary("push", "--config", "/dev/null", "--mgmt", "a=127.0.0.1:1",
                                    "--url", "http://user:hunter2@127.0.0.1:1/x")
        self.assertEqual(status, 1)
        self.assertNotIn("hunter2", err)

    def test_help_exits_0_and_lists_subcommands(self):
        status, out, _ = run_binary("--help")
        self.assertEqual(status, 0)
        for word in ("run", "snapshot", "push", "--mgmt", "--interval", "--event-socket"):
            self.assertIn(word, out)

    def test_version_exits_0(self):
        status, out, _ = run_binary("--version")
        self.assertEqual(status, 0)
        self.assertRegex(out, r"^ovpn-mgmt-push \d+\.\d+\.\d+")

    def test_snapshot_never_checks_the_panel_url(self):
        # It never posts: a broken panel setting must not hide what the servers report.
        status, _, err = run_binary("snapshot", "--config", "/dev/null", "--mgmt", "a=127.0.0.1:1",
                                    "--url", "gopher://panel/x")
        self.assertEqual(status, 1, err)  # no endpoint answered; not a usage error
        self.assertNotIn("gopher", err)

    def test_snapshot_does_not_map_libcurl(self):
        # An endpoint that accepts (the kernel's backlog) but never greets keeps the snapshot
        # waiting long enough to read its mappings.
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        proc = subprocess.Popen([BINARY, "snapshot", "--config", "/dev/null", "--mgmt-timeout", "5",
                                 "--mgmt", f"a=127.0.0.1:{silent.getsockname()[1]}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def mapped():
                with open(f"/proc/{proc.pid}/maps") as f:
                    return f.read()
            wait_until(lambda: "libsystemd" in mapped(), 5, what="the snapshot's libraries mapped")
            self.assertNotIn("libcurl", mapped())
        finally:
            proc.kill()
            proc.wait()
            silent.close()

    def test_push_loads_libcurl_and_names_a_bad_url(self):
        status, _, err = run_binary("push", "--config", "/dev/null", "--url", "https://user:hunter2@/x")
        self.assertEqual(status, 2, err)
        self.assertIn("bad panel URL", err)
        self.assertNotIn("hunter2", err)


if __name__ == "__main__":
    unittest.main()

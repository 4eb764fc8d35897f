"""The command line as an operator meets it: usage errors exit 2 and name the bad value."""
import os
import unittest

from harness import run_binary


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


if __name__ == "__main__":
    unittest.main()

"""The README's first command: the live demo runs its scenario and cleans up after itself."""
import os
import re
import subprocess
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class LiveDemo(unittest.TestCase):
    def test_demo_shows_live_pushes_and_leaves_nothing_running(self):
        proc = subprocess.run([sys.executable, "-m", "demo.live_demo", "--once"], capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL, cwd=ROOT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = proc.stdout
        for expected in ("POST startup", "carol(wg 10.90.0.2)", "<- connect alice@udp", "<- connect bob@tcp",
                         "<- disconnect bob@tcp", "<- disconnect alice@udp", "POST interval"):
            self.assertIn(expected, out)
        workdir = out.split("working in ", 1)[1].split(";", 1)[0]
        self.assertFalse(os.path.exists(workdir))
        leftovers = subprocess.run(["pgrep", "-f", workdir], capture_output=True, text=True).stdout
        self.assertEqual(leftovers, "")
        started = set(re.findall(r"omp-demo-(?:wg|peer)-\d+-\d+", out))
        self.assertEqual(len(started), 2, out)
        namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        for name in started:
            self.assertNotIn(name, namespaces)


if __name__ == "__main__":
    unittest.main()

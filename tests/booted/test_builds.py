"""The package built for each Debian release (tools/build-deb.sh, in OMP_DEB_DIR): versions that
sort as Debian's own, the unit where each release wants it, and library dependencies named as
each release names them (computed by the build, never through a Provides:). No host is booted
here: these are the .deb files themselves."""
import subprocess
import unittest

from tests.booted.deployments import deb_field, deb_version
from tests.booted.releases import BOOKWORM, TRIXIE


def files(deb):
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    return [line.split()[-1].lstrip(".") for line in listing.splitlines()]


def sorts_before(a, b):
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0


class ABuildPerRelease(unittest.TestCase):
    def test_each_release_has_its_suffix_and_debian_13_sorts_above_debian_12(self):
        old12, new12 = (deb_version(d) for d in BOOKWORM.debs())
        old13, new13 = (deb_version(d) for d in TRIXIE.debs())
        self.assertRegex(old12, r"^\d+\.\d+\.\d+\+deb12u1$")
        self.assertRegex(old13, r"^\d+\.\d+\.\d+\+deb13u1$")
        self.assertTrue(sorts_before(old12, old13), "a server upgraded to Debian 13 must move to its build")
        self.assertTrue(sorts_before(old13, new12), "a newer upstream version wins over the release suffix")
        self.assertTrue(sorts_before(new12, new13))

    def test_the_unit_is_where_each_release_wants_it(self):
        for release in (BOOKWORM, TRIXIE):
            units = [f for f in files(release.debs()[0]) if f.endswith("/ovpn-mgmt-push.service")]
            self.assertEqual(units, [f"{release.unit_dir}/ovpn-mgmt-push.service"], release.name)
        self.assertFalse([f for f in files(TRIXIE.debs()[0]) if f.startswith(("/lib/", "/bin/", "/sbin/"))],
                         "Debian 13's lintian errors on files under aliased locations")

    def test_the_loaded_libraries_are_named_as_each_release_names_them(self):
        for release in (BOOKWORM, TRIXIE):
            deb = release.debs()[0]
            curl, microhttpd = release.libraries
            depends = [d.strip() for d in deb_field(deb, "Depends").split(",")]
            recommends = [d.strip() for d in deb_field(deb, "Recommends").split(",")]
            self.assertIn(f"{curl} (>= 7.85.0)", depends, release.name)
            self.assertEqual([d for d in recommends if d.startswith("libmicrohttpd")][0].split()[0], microhttpd)
        self.assertNotIn("libcurl4 ", deb_field(TRIXIE.debs()[0], "Depends") + " ")


if __name__ == "__main__":
    unittest.main()

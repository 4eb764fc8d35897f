"""The Debian releases a booted test host runs, and what differs between them for this project.

A test run picks one with OMP_SUITE (bookworm, the default, or trixie); the fleet mixes them.
The package built for each release (tools/build-deb.sh) is found in OMP_DEB_DIR by its
version suffix: +deb12u1 for Debian 12, +deb13u1 for Debian 13."""
import dataclasses
import glob
import os


@dataclasses.dataclass(frozen=True)
class Release:
    suite: str
    number: int
    # The libraries the package needs or recommends, under this release's names (the tree
    # holds them: a test host reaches no mirror, and apt installs the local .deb alone).
    libraries: tuple
    # Where debhelper installs the package's unit on this release (/usr-merge complete in 13).
    unit_dir: str
    # A variant of the tree: `openvpn_from` names the suite OpenVPN comes from (backports).
    openvpn_from: str = ""

    @property
    def name(self):
        return f"Debian {self.number} ({self.suite})" + (f", OpenVPN from {self.openvpn_from}"
                                                         if self.openvpn_from else "")

    def debs(self):
        """This release's build of the package and the newer build of it, from OMP_DEB_DIR
        (tools/test-debs.sh makes both for each release)."""
        where = os.environ.get("OMP_DEB_DIR")
        if not where:
            raise AssertionError("set OMP_DEB_DIR (tools/test-debs.sh builds the packages into it)")
        found = sorted(glob.glob(os.path.join(where, f"ovpn-mgmt-push_*+deb{self.number}u1_*.deb")))
        older = [d for d in found if "+test1+" not in d]
        newer = [d for d in found if "+test1+" in d]
        if len(older) != 1 or len(newer) != 1:
            raise AssertionError(f"OMP_DEB_DIR={where} has no single build and newer build for {self.name}: "
                                 f"{[os.path.basename(d) for d in found]}")
        return older[0], newer[0]


BOOKWORM = Release("bookworm", 12, ("libcurl4", "libmicrohttpd12"), "/lib/systemd/system")
TRIXIE = Release("trixie", 13, ("libcurl4t64", "libmicrohttpd12t64"), "/usr/lib/systemd/system")
# Debian 13 with OpenVPN 2.7 from trixie-backports.
TRIXIE_OPENVPN_27 = dataclasses.replace(TRIXIE, openvpn_from="trixie-backports")
BY_SUITE = {r.suite: r for r in (BOOKWORM, TRIXIE)}


def under_test():
    """The release of this run: OMP_SUITE, default bookworm."""
    suite = os.environ.get("OMP_SUITE", BOOKWORM.suite)
    if suite not in BY_SUITE:
        raise AssertionError(f"OMP_SUITE={suite!r} is not a release the tests boot ({', '.join(BY_SUITE)})")
    return BY_SUITE[suite]

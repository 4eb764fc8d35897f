// `setup`'s part for systemd: retires the old timer script's units (old_units.hpp says which)
// by stopping and disabling them and moving the admin's unit files aside as backups, and says
// what it did. The package's postinst runs it too (`setup --units-only`), because the old
// oneshot unit shadows the package's unit of the same name.
#pragma once

#include <ostream>

namespace omp {

// Returns false when a step failed (said on `err`); a re-run changes nothing.
bool retire_old_units(bool dry_run, std::ostream& out, std::ostream& err);

}  // namespace omp

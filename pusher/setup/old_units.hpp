// The timer script's systemd units, and what retiring them takes. Pure: unit files in, a plan
// out; setup_command.cpp carries the plan out through systemctl.
//
// The script was deployed by hand in two variants: a oneshot `ovpn-mgmt-push.service` with
// its 2-second `ovpn-mgmt-push.timer`, or `ovpn-status-push{,-tcp}.service` with their
// timers. The first variant's service has the package's own unit name, and a unit file in
// /etc/systemd/system shadows the package's in /lib/systemd/system: until it is moved aside,
// `systemctl start ovpn-mgmt-push` runs the old script.
#pragma once

#include <string>
#include <vector>

namespace omp {

inline constexpr const char* kAdminUnitDir = "/etc/systemd/system";
// Package unit directories: files there belong to a package, so they are disabled, never moved.
inline const std::vector<std::string> kPackageUnitDirs = {"/lib/systemd/system",
                                                          "/usr/lib/systemd/system"};

struct UnitFile {
    std::string dir;   // where it was found
    std::string name;  // e.g. "ovpn-mgmt-push.timer"
    std::string text;  // its content
    std::string path() const { return dir + "/" + name; }
};

struct UnitRetirement {
    UnitFile unit;
    bool move_aside = false;           // an admin's file in /etc/systemd/system: kept as a backup
    bool has_install_section = false;  // only then is there anything to disable
};

// The unit names the timer script was ever deployed under (the files to look at).
const std::vector<std::string>& old_unit_names();

// Whether `unit` is the timer script's: any of its timers or status-push services, and an
// `ovpn-mgmt-push.service` in /etc/systemd/system that does not run this program (an admin's
// full copy of the package's unit, made with `systemctl edit --full`, is left alone).
bool is_old_script_unit(const UnitFile& unit);

// What retiring the old units found takes, timers first (so none starts its service again
// while that service is being stopped).
std::vector<UnitRetirement> plan_retirement(const std::vector<UnitFile>& found);

// The backup name for a retired unit file: systemd ignores it (not a unit suffix), an admin
// finds it beside the original.
std::string retired_unit_backup_name(const std::string& name, const std::string& timestamp);
// Whether a file name in /etc/systemd/system is such a backup.
bool is_retired_unit_backup(const std::string& name);

}  // namespace omp

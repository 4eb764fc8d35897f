#include "setup/unit_retirement.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <utility>

#include "base/config_file.hpp"
#include "setup/file_edits.hpp"
#include "setup/old_units.hpp"
#include "setup/setup_command.hpp"
#include "setup/systemctl.hpp"

namespace omp {

namespace {

// Every old unit file, once: /lib and /usr/lib are one directory on a merged-/usr system.
std::vector<UnitFile> find_old_unit_files() {
    std::vector<std::string> dirs = {kAdminUnitDir};
    dirs.insert(dirs.end(), kPackageUnitDirs.begin(), kPackageUnitDirs.end());
    std::set<std::pair<dev_t, ino_t>> seen;
    std::vector<UnitFile> found;
    for (const auto& dir : dirs) {
        for (const auto& name : old_unit_names()) {
            UnitFile unit{dir, name, ""};
            struct stat st {};
            if (::stat(unit.path().c_str(), &st) != 0 ||
                !seen.insert({st.st_dev, st.st_ino}).second)
                continue;
            unit.text = read_text_file(unit.path()).value_or("");
            found.push_back(std::move(unit));
        }
    }
    return found;
}

std::vector<std::string> retired_backups() {
    std::vector<std::string> backups;
    if (DIR* d = ::opendir(kAdminUnitDir)) {
        while (dirent* entry = ::readdir(d)) {
            if (is_retired_unit_backup(entry->d_name))
                backups.push_back(std::string(kAdminUnitDir) + "/" + entry->d_name);
        }
        ::closedir(d);
    }
    std::sort(backups.begin(), backups.end());
    return backups;
}

// One systemctl step; a failure is said with systemctl's own words.
bool systemctl_step(const std::vector<std::string>& args, std::ostream& err) {
    auto outcome = run_systemctl(args);
    if (outcome && outcome->exit_status == 0) return true;
    std::string command = "systemctl";
    for (const auto& a : args) command += " " + a;
    std::string why = outcome ? outcome->output : outcome.error().message;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    err << "ovpn-mgmt-push setup: `" << command << "' failed" << (why.empty() ? "" : ": " + why)
        << "\n";
    return false;
}

void say_already_retired(std::ostream& out) {
    auto backups = retired_backups();
    if (backups.empty()) return;
    out << "the old timer script's units are retired (unit files kept as";
    for (const auto& b : backups) out << " " << b;
    out << ")\n";
}

}  // namespace

bool retire_old_units(bool dry_run, std::ostream& out, std::ostream& err) {
    auto plan = plan_retirement(find_old_unit_files());
    if (plan.empty()) {
        say_already_retired(out);
        return true;
    }
    bool running = systemd_is_running();
    std::string stamp = backup_timestamp();
    bool ok = true;
    // Stop everything first, timers before services, while the old unit files are still
    // the ones systemd has loaded.
    if (!dry_run && running) {
        for (const auto& step : plan) ok &= systemctl_step({"stop", step.unit.name}, err);
    }
    std::vector<std::string> names;
    for (const auto& step : plan) {
        names.push_back(step.unit.name);
        std::string done = dry_run ? (running ? "stop" : "") : (running ? "stopped" : "");
        auto and_then = [&](const std::string& what) { done += (done.empty() ? "" : ", ") + what; };
        if (step.has_install_section) {
            if (!dry_run) ok &= systemctl_step({"disable", "--quiet", step.unit.name}, err);
            and_then(dry_run ? "disable" : "disabled");
        }
        if (step.move_aside) {
            std::string backup = free_backup_path(kAdminUnitDir + std::string("/") +
                                                  retired_unit_backup_name(step.unit.name, stamp));
            if (!dry_run && std::rename(step.unit.path().c_str(), backup.c_str()) != 0) {
                err << "ovpn-mgmt-push setup: cannot move `" << step.unit.path() << "' to `"
                    << backup << "': " << std::strerror(errno) << "\n";
                ok = false;
                continue;
            }
            and_then((dry_run ? "keep the unit file as " : "unit file kept as ") + backup);
        }
        out << (dry_run ? "would retire " : "retired ") << "the old timer script's "
            << step.unit.name << ": " << done << "\n";
    }
    if (!dry_run && running) {
        ok &= systemctl_step({"daemon-reload"}, err);
        std::vector<std::string> reset = {"reset-failed"};
        reset.insert(reset.end(), names.begin(), names.end());
        (void)run_systemctl(reset);  // nothing to reset is not a failure
    }
    return ok;
}

}  // namespace omp

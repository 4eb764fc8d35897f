#include "setup/old_units.hpp"

#include <algorithm>

#include "base/text_fields.hpp"

namespace omp {

namespace {

constexpr std::string_view kBackupMark = ".bak-ovpn-mgmt-push-";
constexpr std::string_view kPackageService = "ovpn-mgmt-push.service";

// The program an ExecStart= value runs, without systemd's prefixes (-, @, +, !, :).
std::string_view program_of(std::string_view command) {
    command = trim(command);
    while (!command.empty() &&
           std::string_view("-@+!:").find(command.front()) != std::string_view::npos) {
        command.remove_prefix(1);
    }
    return command.substr(0, command.find_first_of(" \t"));
}

bool runs_this_program(const std::string& unit_text) {
    for (auto line : split(unit_text, '\n')) {
        line = trim(line);
        if (!line.starts_with("ExecStart=")) continue;
        auto program = program_of(line.substr(std::string_view("ExecStart=").size()));
        if (program == "ovpn-mgmt-push" || program.ends_with("/ovpn-mgmt-push")) return true;
    }
    return false;
}

bool has_install_section(const std::string& unit_text) {
    auto lines = split(unit_text, '\n');
    return std::any_of(lines.begin(), lines.end(),
                       [](std::string_view line) { return trim(line) == "[Install]"; });
}

}  // namespace

const std::vector<std::string>& old_unit_names() {
    static const std::vector<std::string> names = {
        "ovpn-mgmt-push.timer",   "ovpn-status-push.timer",   "ovpn-status-push-tcp.timer",
        "ovpn-mgmt-push.service", "ovpn-status-push.service", "ovpn-status-push-tcp.service"};
    return names;
}

bool is_old_script_unit(const UnitFile& unit) {
    if (std::find(old_unit_names().begin(), old_unit_names().end(), unit.name) ==
        old_unit_names().end()) {
        return false;
    }
    // The package's own unit has this name too: only a shadowing file that runs something else
    // (the script) is the old one.
    if (unit.name == kPackageService)
        return unit.dir == kAdminUnitDir && !runs_this_program(unit.text);
    return true;
}

std::vector<UnitRetirement> plan_retirement(const std::vector<UnitFile>& found) {
    std::vector<UnitRetirement> plan;
    for (const auto& unit : found) {
        if (!is_old_script_unit(unit)) continue;
        plan.push_back({unit, unit.dir == kAdminUnitDir, has_install_section(unit.text)});
    }
    std::stable_sort(plan.begin(), plan.end(),
                     [](const UnitRetirement& a, const UnitRetirement& b) {
                         return a.unit.name.ends_with(".timer") && !b.unit.name.ends_with(".timer");
                     });
    return plan;
}

std::string retired_unit_backup_name(const std::string& name, const std::string& timestamp) {
    return name + std::string(kBackupMark) + timestamp;
}

bool is_retired_unit_backup(const std::string& name) {
    auto mark = name.find(kBackupMark);
    if (mark == std::string::npos) return false;
    std::string unit = name.substr(0, mark);
    return std::find(old_unit_names().begin(), old_unit_names().end(), unit) !=
           old_unit_names().end();
}

}  // namespace omp

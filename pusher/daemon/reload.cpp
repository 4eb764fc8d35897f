#include "daemon/reload.hpp"

namespace omp {

ReloadPlan plan_reload(const Settings& running, Settings fresh) {
    ReloadPlan plan;
    plan.warnings = fresh.warnings;
    if (fresh.event_socket != running.event_socket || fresh.event_user != running.event_user ||
        fresh.state_dir != running.state_dir || fresh.ovpn_logs != running.ovpn_logs) {
        plan.warnings.push_back(
            "the event socket, its user, the state directory and the OpenVPN logs change only on "
            "restart");
        fresh.event_socket = running.event_socket;
        fresh.event_user = running.event_user;
        fresh.state_dir = running.state_dir;
        fresh.ovpn_logs = running.ovpn_logs;
    }
    plan.interval_changed = fresh.interval != running.interval;
    plan.settings = std::move(fresh);
    return plan;
}

}  // namespace omp

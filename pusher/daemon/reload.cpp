#include "daemon/reload.hpp"

#include <string>

namespace omp {

namespace {

// What the listeners were opened with, as one comparable text.
std::string listener_settings(const Settings& s) {
    std::string text;
    if (s.metrics) {
        text += "metrics " + s.metrics->address + (s.metrics->per_session ? " sessions " : " ") +
                s.metrics->user + ":" + s.metrics->password + "\n";
    }
    for (const auto& p : s.mgmt_proxies) {
        text += "proxy " + p.instance + " " + p.address + " " + std::to_string(p.socket_mode) +
                " " + std::to_string(p.socket_user.value_or(0)) + " " +
                std::to_string(p.socket_group.value_or(0)) + " " + p.password.value_or("") + "\n";
    }
    return text;
}

}  // namespace

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
    if (listener_settings(fresh) != listener_settings(running)) {
        plan.warnings.push_back(
            "the metrics listener and the management proxies change only on restart");
        fresh.metrics = running.metrics;
        fresh.mgmt_proxies = running.mgmt_proxies;
    }
    // The running proxies still need their instances' answers.
    for (auto& ep : fresh.endpoints) {
        ep.keep_transcript = false;
        for (const auto& p : fresh.mgmt_proxies) ep.keep_transcript |= p.instance == ep.name;
    }
    plan.interval_changed = fresh.interval != running.interval;
    plan.settings = std::move(fresh);
    return plan;
}

}  // namespace omp

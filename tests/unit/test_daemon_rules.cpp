// The daemon's small rules, each without a descriptor: the panel back-off, the cadence, the
// reason waits and what a reload may change.
#include <boost/test/unit_test.hpp>

#include "daemon/cadence.hpp"
#include "daemon/panel_backoff.hpp"
#include "daemon/reason_waits.hpp"
#include "daemon/reload.hpp"
#include "daemon/source_health.hpp"
#include "daemon/watchdog.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

omp::PostResult failure(const std::string& kind) {
    return omp::PostResult{false, 0, "failed: " + kind, kind};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(panel_backoff)

BOOST_AUTO_TEST_CASE(each_failure_in_a_row_doubles_the_wait_up_to_one_interval) {
    omp::PanelBackoff backoff;
    auto t = Clock::now();
    (void)backoff.failed(failure("http 503"), t, 2s);
    BOOST_TEST((backoff.retry_at() - t == 500ms));
    (void)backoff.failed(failure("http 503"), t, 2s);
    BOOST_TEST((backoff.retry_at() - t == 1000ms));
    for (int i = 0; i < 20; ++i) (void)backoff.failed(failure("http 503"), t, 2s);
    BOOST_TEST((backoff.retry_at() - t == 2s));
}

BOOST_AUTO_TEST_CASE(a_failure_is_logged_once_per_episode_and_every_ten_minutes) {
    omp::PanelBackoff backoff;
    auto t = Clock::now();
    BOOST_TEST(backoff.failed(failure("http 503"), t, 2s).has_value());
    BOOST_TEST(!backoff.failed(failure("http 503"), t + 2s, 2s).has_value());
    BOOST_TEST(backoff.failed(failure("curl 7"), t + 4s, 2s).has_value());  // a new kind
    BOOST_TEST(!backoff.failed(failure("curl 7"), t + 5min, 2s).has_value());
    auto reminder = backoff.failed(failure("curl 7"), t + 11min, 2s);
    BOOST_REQUIRE(reminder.has_value());
    BOOST_TEST(reminder->find("5 failures in a row") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_success_ends_the_episode_and_says_so_once) {
    omp::PanelBackoff backoff;
    auto t = Clock::now();
    BOOST_TEST(!backoff.succeeded(t).has_value());
    (void)backoff.failed(failure("http 503"), t, 2s);
    (void)backoff.failed(failure("http 503"), t, 2s);
    auto line = backoff.succeeded(t + 3s);
    BOOST_REQUIRE(line.has_value());
    BOOST_TEST(*line == "panel accepts posts again after 2 failed");
    BOOST_TEST((backoff.retry_at() == t + 3s));
    BOOST_TEST(backoff.failed(failure("http 503"), t + 4s, 2s).has_value());  // a new episode
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cadence)

BOOST_AUTO_TEST_CASE(ticks_fall_on_a_fixed_grid_and_missed_ones_fold_into_one) {
    auto t = Clock::now();
    omp::Cadence cadence(2s, t);
    BOOST_TEST(!cadence.due(t + 1s));
    BOOST_TEST(cadence.due(t + 2s));
    BOOST_TEST(!cadence.due(t + 3s));
    BOOST_TEST(cadence.due(t + 9s));  // 4, 6 and 8 s missed: one tick
    BOOST_TEST((cadence.next() == t + 10s));
}

BOOST_AUTO_TEST_CASE(a_new_interval_starts_a_new_grid) {
    auto t = Clock::now();
    omp::Cadence cadence(2s, t);
    cadence.restart(5s, t + 1s);
    BOOST_TEST((cadence.next() == t + 6s));
}

BOOST_AUTO_TEST_CASE(the_watchdog_is_fed_every_half_period_and_only_when_enabled) {
    auto t = Clock::now();
    omp::Watchdog off(0us);
    BOOST_TEST(!off.due(t));
    BOOST_TEST(!off.next().has_value());
    omp::Watchdog on(10s);
    BOOST_TEST(on.due(t));
    BOOST_TEST(!on.due(t + 4s));
    BOOST_TEST(on.due(t + 5s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reason_waits)

BOOST_AUTO_TEST_CASE(a_wait_ends_with_the_reason_once_the_log_has_it) {
    omp::ReasonWaits waits;
    auto t = Clock::now();
    waits.start("r1", t);
    auto exists = [](const std::string&) { return true; };
    int lookups = 0;
    auto lookup = [&](const std::string&, Clock::time_point) -> std::optional<std::string> {
        return ++lookups < 2 ? std::nullopt : std::optional<std::string>("replaced");
    };
    BOOST_TEST(waits.settle(t + 10ms, exists, lookup).empty());
    BOOST_TEST(waits.waiting("r1"));
    auto settled = waits.settle(t + 20ms, exists, lookup);
    BOOST_REQUIRE(settled.size() == 1u);
    BOOST_TEST(*settled[0].reason == "replaced");
    BOOST_TEST(waits.empty());
}

BOOST_AUTO_TEST_CASE(a_wait_ends_without_a_reason_at_its_deadline_or_when_the_record_is_gone) {
    omp::ReasonWaits waits;
    auto t = Clock::now();
    waits.start("late", t);
    waits.start("gone", t);
    BOOST_TEST((*waits.next_deadline() == t + omp::ReasonWaits::kWait));
    auto none = [](const std::string&, Clock::time_point) { return std::optional<std::string>(); };
    auto settled = waits.settle(
        t, [](const std::string& id) { return id != "gone"; }, none);
    BOOST_REQUIRE(settled.size() == 1u);
    BOOST_TEST(settled[0].record_id == "gone");
    settled = waits.settle(
        t + omp::ReasonWaits::kWait, [](const std::string&) { return true; }, none);
    BOOST_REQUIRE(settled.size() == 1u);
    BOOST_TEST(!settled[0].reason.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reload)

BOOST_AUTO_TEST_CASE(what_the_process_holds_changes_only_on_restart_and_a_reload_says_so) {
    omp::Settings running;
    omp::Settings fresh;
    fresh.event_socket = "/run/other.sock";
    fresh.max_records = 5;
    auto plan = omp::plan_reload(running, fresh);
    BOOST_TEST(plan.settings.event_socket == running.event_socket);
    BOOST_TEST(plan.settings.max_records == 5u);
    BOOST_REQUIRE(plan.warnings.size() == 1u);
    BOOST_TEST(plan.warnings[0].find("change only on restart") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_listeners_change_only_on_restart_and_their_sources_stay_transcribed) {
    omp::Settings running;
    running.endpoints.resize(2);
    running.endpoints[0].name = "udp";
    running.endpoints[1].name = "tcp";
    running.mgmt_proxies.resize(1);
    running.mgmt_proxies[0].instance = "udp";
    running.mgmt_proxies[0].address = "127.0.0.1:7605";
    omp::Settings fresh = running;
    fresh.mgmt_proxies[0].instance = "tcp";
    fresh.mgmt_proxies[0].password = "new";
    auto plan = omp::plan_reload(running, fresh);
    BOOST_REQUIRE(plan.settings.mgmt_proxies.size() == 1u);
    BOOST_TEST(plan.settings.mgmt_proxies[0].instance == "udp");
    BOOST_TEST(!plan.settings.mgmt_proxies[0].password.has_value());
    BOOST_TEST(plan.settings.endpoints[0].keep_transcript);
    BOOST_TEST(!plan.settings.endpoints[1].keep_transcript);
    BOOST_REQUIRE(plan.warnings.size() == 1u);
    BOOST_TEST(plan.warnings[0].find("management proxies change only on restart") !=
               std::string::npos);
    BOOST_TEST(omp::plan_reload(running, running).warnings.empty());
}

BOOST_AUTO_TEST_CASE(a_reload_passes_on_the_settings_warnings_and_flags_a_new_interval) {
    omp::Settings running;
    omp::Settings fresh;
    fresh.interval = std::chrono::duration<double>(5.0);
    fresh.warnings = {"token file is readable by every user"};
    auto plan = omp::plan_reload(running, fresh);
    BOOST_TEST(plan.interval_changed);
    BOOST_TEST(plan.warnings == fresh.warnings);
    BOOST_TEST(!omp::plan_reload(running, running).interval_changed);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(source_health)

namespace {

omp::SourceReport report(bool ok, const std::string& error = "") {
    omp::SourceReport r;
    r.name = "udp";
    r.ok = ok;
    r.error = error;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_failing_source_is_logged_once_per_episode_and_every_ten_minutes) {
    omp::SourceHealth health;
    auto t = Clock::now();
    auto refused = report(false, "127.0.0.1:7505: connect: Connection refused");
    BOOST_TEST(health.update({refused}, t).size() == 1u);
    int lines = 0;
    for (int i = 1; i < 299; ++i)
        lines += static_cast<int>(health.update({refused}, t + i * 2s).size());
    BOOST_TEST(lines == 0);  // ten minutes of polls every 2 s: quiet
    auto reminder = health.update({refused}, t + 10min);
    BOOST_REQUIRE(reminder.size() == 1u);
    BOOST_TEST(reminder[0].text.find("300 failed polls in a row") != std::string::npos);
    auto other = health.update({report(false, "127.0.0.1:7505: no complete status within 2000 ms")},
                               t + 11min);
    BOOST_TEST(other.size() == 1u);  // another error: another episode
}

BOOST_AUTO_TEST_CASE(a_recovered_source_is_logged_once) {
    omp::SourceHealth health;
    auto t = Clock::now();
    BOOST_TEST(health.update({report(true)}, t).empty());
    (void)health.update({report(false, "refused")}, t);
    (void)health.update({report(false, "refused")}, t + 2s);
    auto back = health.update({report(true)}, t + 4s);
    BOOST_REQUIRE(back.size() == 1u);
    BOOST_TEST(back[0].text == "source udp answers again after 2 failed poll(s)");
    BOOST_TEST(health.update({report(true)}, t + 6s).empty());
}

BOOST_AUTO_TEST_SUITE_END()

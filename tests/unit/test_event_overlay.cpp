#include <boost/test/unit_test.hpp>
#include <set>

#include "core/event_overlay.hpp"
#include "fixtures.hpp"

using omp::EventOverlay;
using omp::event::Event;
using omp::event::Kind;
using namespace std::chrono_literals;

namespace {

Event event(Kind kind, std::string source, std::string cn, std::uint16_t port) {
    Event e;
    e.kind = kind;
    e.source = std::move(source);
    e.common_name = std::move(cn);
    e.real_ip = "192.0.2.1";
    e.real_port = port;
    e.virtual_ip = "10.8.0.9";
    e.connected_at = 1700000000;
    e.ts_us = 1700000000000000;
    return e;
}

omp::Session listed(std::string cn, std::uint16_t port) {
    return listed_session("udp", std::move(cn), "192.0.2.1", port);
}
std::vector<omp::SourceReport> reports(std::vector<omp::Session> udp_sessions, bool ok = true) {
    std::vector<omp::SourceReport> r(2);
    r[0].name = "udp";
    r[0].ok = ok;
    r[0].status.sessions = std::move(udp_sessions);
    r[1].name = "tcp";
    r[1].ok = true;
    return r;
}

const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;

// Who the udp source shows (username:port, in order) once `overlay` is applied to a poll that
// lists `polled` at `at`.
std::string udp_shows(EventOverlay& overlay, std::vector<omp::Session> polled,
                      std::chrono::steady_clock::time_point at = t0) {
    auto r = reports(std::move(polled));
    overlay.apply(r, at);
    std::string shown;
    for (const auto& s : r[0].status.sessions) {
        shown += (shown.empty() ? "" : " ") + s.username + ":" + std::to_string(*s.real_port);
    }
    return shown;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_overlay)

BOOST_AUTO_TEST_CASE(connect_shows_user_management_does_not_list_yet) {
    EventOverlay overlay;
    overlay.record(event(Kind::connect, "udp", "alice", 1000), t0);
    auto r = reports({});
    overlay.apply(r, t0);
    BOOST_REQUIRE(r[0].status.sessions.size() == 1u);
    BOOST_TEST(r[0].status.sessions[0].username == "alice");
    BOOST_TEST(r[0].status.sessions[0].virtual_ip == "10.8.0.9");
    BOOST_TEST(r[0].status.sessions[0].source == "udp");
}

BOOST_AUTO_TEST_CASE(connect_is_forgotten_once_management_lists_it) {
    EventOverlay overlay;
    overlay.record(event(Kind::connect, "udp", "alice", 1000), t0);
    auto r = reports({listed("alice", 1000)});
    overlay.apply(r, t0);
    BOOST_TEST(r[0].status.sessions.size() == 1u);  // not doubled
    BOOST_TEST(overlay.size() == 0u);
}

BOOST_AUTO_TEST_CASE(disconnect_hides_user_management_still_lists) {
    EventOverlay overlay;
    overlay.record(event(Kind::disconnect, "udp", "alice", 1000), t0);
    BOOST_TEST(udp_shows(overlay, {listed("alice", 1000), listed("bob", 2000)}) == "bob:2000");
    BOOST_TEST(overlay.size() == 1u);
    BOOST_TEST(udp_shows(overlay, {listed("bob", 2000)}, t0 + 1s) == "bob:2000");
    BOOST_TEST(overlay.size() == 0u);
}

BOOST_AUTO_TEST_CASE(disconnect_hides_only_that_session_not_a_new_one_of_the_same_user) {
    EventOverlay overlay;
    overlay.record(event(Kind::disconnect, "udp", "alice", 1000), t0);
    BOOST_TEST(udp_shows(overlay, {listed("alice", 1000), listed("alice", 3000)}) == "alice:3000");
}

BOOST_AUTO_TEST_CASE(disconnect_after_connect_replaces_it) {
    EventOverlay overlay;
    overlay.record(event(Kind::connect, "udp", "alice", 1000), t0);
    overlay.record(event(Kind::disconnect, "udp", "alice", 1000), t0);
    auto r = reports({});
    overlay.apply(r, t0);
    BOOST_TEST(r[0].status.sessions.empty());
}

BOOST_AUTO_TEST_CASE(connect_shows_even_when_the_endpoint_is_down) {
    EventOverlay overlay;
    overlay.record(event(Kind::connect, "udp", "alice", 1000), t0);
    auto r = reports({}, false);
    overlay.apply(r, t0);
    BOOST_TEST(r[0].status.sessions.size() == 1u);
    BOOST_TEST(overlay.size() == 1u);
}

BOOST_AUTO_TEST_CASE(entries_expire_after_the_hold_time) {
    EventOverlay overlay(10s);
    overlay.record(event(Kind::connect, "udp", "alice", 1000), t0);
    auto r = reports({});
    overlay.apply(r, t0 + 11s);
    BOOST_TEST(r[0].status.sessions.empty());
    BOOST_TEST(overlay.size() == 0u);
}

BOOST_AUTO_TEST_CASE(events_only_touch_their_own_instance) {
    EventOverlay overlay;
    overlay.record(event(Kind::connect, "tcp", "carol", 1000), t0);
    auto r = reports({});
    overlay.apply(r, t0);
    BOOST_TEST(r[0].status.sessions.empty());
    BOOST_TEST(r[1].status.sessions.size() == 1u);
}

BOOST_AUTO_TEST_CASE(username_from_event_or_common_name_when_undef) {
    EventOverlay overlay;
    auto e = event(Kind::connect, "udp", "cn", 1000);
    e.username = "UNDEF";
    overlay.record(e, t0);
    auto r = reports({});
    overlay.apply(r, t0);
    BOOST_TEST(r[0].status.sessions[0].username == "cn");
}

BOOST_AUTO_TEST_CASE(a_storm_hides_every_disconnected_session_and_shows_every_new_one_once) {
    omp::EventOverlay overlay;
    std::vector<omp::Session> polled;
    for (std::uint16_t i = 0; i < 300; ++i) {
        polled.push_back(listed("u" + std::to_string(i), i));  // short names: stored in place
        if (i % 2 == 0)
            overlay.record(event(Kind::disconnect, "udp", "u" + std::to_string(i), i), t0);
        overlay.record(event(Kind::connect, "udp", "new" + std::to_string(i), i), t0);
    }
    auto r = reports(polled);
    overlay.apply(r, t0);
    std::set<std::string> names;
    for (const auto& s : r[0].status.sessions) BOOST_TEST(names.insert(s.common_name).second);
    BOOST_TEST(names.size() == 150u + 300u);
    BOOST_TEST(names.count("u1") == 1u);
    BOOST_TEST(names.count("u0") == 0u);
    BOOST_TEST(names.count("new299") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

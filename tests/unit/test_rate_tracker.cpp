#include <boost/test/unit_test.hpp>

#include "core/rate_tracker.hpp"

using namespace std::chrono_literals;

namespace {

omp::Session session(std::uint64_t received, std::uint64_t sent, std::int64_t connected_at = 1000,
                     std::uint16_t port = 5000) {
    omp::Session s;
    s.source = "udp";
    s.common_name = "alice";
    s.username = "alice";
    s.real_ip = "192.0.2.1";
    s.real_port = port;
    s.connected_at = connected_at;
    s.bytes_received = received;
    s.bytes_sent = sent;
    return s;
}

std::vector<omp::SourceReport> polled(std::vector<omp::Session> sessions, bool ok = true) {
    std::vector<omp::SourceReport> r(1);
    r[0].name = "udp";
    r[0].ok = ok;
    r[0].status.sessions = std::move(sessions);
    return r;
}

const auto t0 = std::chrono::steady_clock::time_point{} + 100s;

}  // namespace

BOOST_AUTO_TEST_SUITE(rate_tracker)

BOOST_AUTO_TEST_CASE(a_first_poll_has_rate_zero) {
    omp::RateTracker tracker;
    auto r = polled({session(5000, 7000)});
    tracker.update(r, t0);
    BOOST_TEST(r[0].status.sessions[0].rx_bps == 0u);
    BOOST_TEST(r[0].status.sessions[0].tx_bps == 0u);
}

BOOST_AUTO_TEST_CASE(rate_is_the_counter_delta_over_the_time_between_polls) {
    omp::RateTracker tracker;
    auto a = polled({session(1000, 2000)});
    tracker.update(a, t0);
    auto b = polled({session(5000, 3000)});
    tracker.update(b, t0 + 2s);
    BOOST_TEST(b[0].status.sessions[0].rx_bps == 2000u);
    BOOST_TEST(b[0].status.sessions[0].tx_bps == 500u);
}

BOOST_AUTO_TEST_CASE(a_reconnect_is_a_new_session_not_a_jump) {
    omp::RateTracker tracker;
    auto a = polled({session(900000, 900000, 1000, 5000)});
    tracker.update(a, t0);
    auto b = polled({session(100, 100, 1010, 5001)});  // same user, new session
    tracker.update(b, t0 + 2s);
    BOOST_TEST(b[0].status.sessions[0].rx_bps == 0u);
}

BOOST_AUTO_TEST_CASE(a_counter_reset_gives_zero_not_a_negative_rate) {
    omp::RateTracker tracker;
    auto a = polled({session(900000, 900000)});
    tracker.update(a, t0);
    auto b = polled({session(10, 10)});
    tracker.update(b, t0 + 2s);
    BOOST_TEST(b[0].status.sessions[0].rx_bps == 0u);
    BOOST_TEST(b[0].status.sessions[0].tx_bps == 0u);
}

BOOST_AUTO_TEST_CASE(a_failed_poll_keeps_the_last_sample) {
    omp::RateTracker tracker;
    auto a = polled({session(0, 0)});
    tracker.update(a, t0);
    auto down = polled({}, false);
    tracker.update(down, t0 + 2s);
    auto b = polled({session(4000, 0)});
    tracker.update(b, t0 + 4s);
    BOOST_TEST(b[0].status.sessions[0].rx_bps == 1000u);  // over the 4 s since the last sample
}

BOOST_AUTO_TEST_CASE(sessions_gone_from_an_answering_source_are_forgotten) {
    omp::RateTracker tracker;
    auto a = polled({session(0, 0)});
    tracker.update(a, t0);
    auto b = polled({});
    tracker.update(b, t0 + 2s);
    BOOST_TEST(tracker.tracked() == 0u);
}

BOOST_AUTO_TEST_CASE(a_roaming_wireguard_peer_keeps_its_rate) {
    omp::RateTracker tracker;
    auto first = polled({session(1000, 1000)});
    first[0].kind = "wireguard";
    tracker.update(first, t0);
    auto roamed = polled({session(3000, 5000, 1000, 6000)});  // same run, new endpoint port
    roamed[0].kind = "wireguard";
    roamed[0].status.sessions[0].real_ip = "203.0.113.9";
    tracker.update(roamed, t0 + 2s);
    BOOST_TEST(roamed[0].status.sessions[0].rx_bps == 1000u);
    BOOST_TEST(roamed[0].status.sessions[0].tx_bps == 2000u);
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include "core/rate_tracker.hpp"
#include "fixtures.hpp"

using namespace std::chrono_literals;

namespace {

omp::Session session(std::uint64_t received, std::uint64_t sent, std::int64_t connected_at = 1000,
                     std::uint16_t port = 5000) {
    auto s = listed_session("udp", "alice", "192.0.2.1", port);
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

// The rates of the last poll's first session, after one tracker saw the polls 2 s apart.
struct Rates {
    std::uint64_t rx_bps;
    std::uint64_t tx_bps;
    bool operator==(const Rates&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Rates& r) {
    return out << "rx " << r.rx_bps << " B/s, tx " << r.tx_bps << " B/s";
}
Rates rates_after(std::vector<std::vector<omp::SourceReport>> polls) {
    omp::RateTracker tracker;
    auto at = t0;
    for (auto& poll : polls) {
        tracker.update(poll, at);
        at += 2s;
    }
    const auto& s = polls.back()[0].status.sessions[0];
    return {s.rx_bps, s.tx_bps};
}

std::vector<omp::SourceReport> from_wireguard(std::vector<omp::SourceReport> poll) {
    poll[0].kind = "wireguard";
    return poll;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rate_tracker)

BOOST_AUTO_TEST_CASE(a_first_poll_has_rate_zero) {
    auto rates = rates_after({polled({session(5000, 7000)})});
    BOOST_TEST(rates == (Rates{0, 0}));
}

BOOST_AUTO_TEST_CASE(rate_is_the_counter_delta_over_the_time_between_polls) {
    auto rates = rates_after({polled({session(1000, 2000)}), polled({session(5000, 3000)})});
    BOOST_TEST(rates == (Rates{2000, 500}));
}

BOOST_AUTO_TEST_CASE(a_reconnect_is_a_new_session_not_a_jump) {
    auto rates = rates_after({polled({session(900000, 900000, 1000, 5000)}),
                              polled({session(100, 100, 1010, 5001)})});  // same user, new session
    BOOST_TEST(rates == (Rates{0, 0}));  // a new session starts at zero
}

BOOST_AUTO_TEST_CASE(a_counter_reset_gives_zero_not_a_negative_rate) {
    auto rates = rates_after({polled({session(900000, 900000)}), polled({session(10, 10)})});
    BOOST_TEST(rates == (Rates{0, 0}));
}

BOOST_AUTO_TEST_CASE(a_failed_poll_keeps_the_last_sample) {
    auto rates =
        rates_after({polled({session(0, 0)}), polled({}, false), polled({session(4000, 0)})});
    BOOST_TEST(rates.rx_bps == 1000u);  // over the 4 s since the last sample
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
    auto roamed = from_wireguard(polled({session(3000, 5000, 1000, 6000)}));  // new endpoint port
    roamed[0].status.sessions[0].real_ip = "203.0.113.9";
    auto rates = rates_after({from_wireguard(polled({session(1000, 1000)})), roamed});
    BOOST_TEST(rates == (Rates{1000, 2000}));
}

BOOST_AUTO_TEST_SUITE_END()

// The management query's socket handling against stand-in management interfaces for the faults
// real OpenVPN shows rarely: OpenVPN 2.7 with DCO, whose kernel query for the peers failed, may
// answer `status 3` with part of the status or nothing at all, never `END`, and keep the
// connection open. Real OpenVPN servers are in tests/e2e.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "fixtures.hpp"
#include "openvpn/mgmt_query.hpp"

using namespace std::chrono_literals;

namespace {

const std::string kGreeting =
    ">INFO:OpenVPN Management Interface Version 6 -- type 'help' for more info\r\n";

// A management interface that greets, reads the `status 3` command, sends `answer` with CRLF
// line ends and then keeps the connection open, silent, for `hold`.
std::function<void(int)> answers(const std::string& answer, std::chrono::milliseconds hold) {
    return [answer, hold](int conn) {
        send_all(conn, kGreeting);
        read_some(conn);  // status 3
        std::string crlf;
        for (char c : answer) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        send_all(conn, crlf);
        std::this_thread::sleep_for(hold);
    };
}

omp::SourceReport poll(const std::string& socket, std::chrono::milliseconds total) {
    auto endpoint = omp::parse_endpoint("udp=unix:" + socket);
    BOOST_REQUIRE(endpoint);
    omp::SourceQueries queries = omp::start_mgmt_queries(
        {*endpoint}, std::nullopt, omp::QueryTimeouts{500ms, total}, omp::SteadyClock::now());
    return std::move(omp::run_queries(std::move(queries)).front());
}

// The header lines of OpenVPN 2.7's `status 3`, and no client row.
std::string status_head() {
    auto text = read_test_data("status/openvpn-2.7-status3.txt");
    return text.substr(0, text.find("CLIENT_LIST\t"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mgmt_query)

BOOST_AUTO_TEST_CASE(a_whole_status_with_end_is_a_report) {
    OneConnectionServer openvpn("mgmt.sock",
                                answers(read_test_data("status/openvpn-2.7-status3.txt"), 0ms));
    auto report = poll(openvpn.path(), 2000ms);
    BOOST_TEST(report.ok, report.error);
    BOOST_TEST(report.status.sessions.size() > 0u);
}

BOOST_AUTO_TEST_CASE(a_status_that_stops_before_end_is_a_timed_out_poll) {
    OneConnectionServer openvpn("mgmt.sock", answers(status_head(), 1000ms));
    auto started = std::chrono::steady_clock::now();
    auto report = poll(openvpn.path(), 200ms);
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("no complete status within 200 ms") != std::string::npos,
               report.error);
    BOOST_TEST(report.status.sessions.empty());  // a partial list ends no session
    BOOST_TEST((std::chrono::steady_clock::now() - started < 900ms));
}

BOOST_AUTO_TEST_CASE(a_status_command_answered_with_nothing_is_a_timed_out_poll) {
    OneConnectionServer openvpn("mgmt.sock", answers("", 1000ms));
    auto report = poll(openvpn.path(), 200ms);
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("no complete status within 200 ms") != std::string::npos,
               report.error);
}

BOOST_AUTO_TEST_CASE(a_status_cut_short_by_a_closed_connection_is_an_error_not_a_crash) {
    OneConnectionServer openvpn("mgmt.sock", answers(status_head(), 0ms));
    auto report = poll(openvpn.path(), 2000ms);
    BOOST_TEST(!report.ok);
    BOOST_TEST(!report.error.empty());
}

BOOST_AUTO_TEST_SUITE_END()

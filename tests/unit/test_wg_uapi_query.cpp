// The UAPI query's socket handling against stand-in UAPI servers for the faults (silence, a cut
// answer, a refusal, a failed get). The real wireguard-go is in tests/e2e/test_wireguard.py.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <thread>

#include "fixtures.hpp"
#include "wireguard/wg_uapi_query.hpp"

using namespace std::chrono_literals;

namespace {

std::string fixture() {
    return read_test_data("wg/wireguard-go-0.0.20220316.uapi");
}

// Listens on DIR/wg0.sock; for its one connection, reads the request and then does `answer`.
class StandInUapi {
  public:
    explicit StandInUapi(std::function<void(int)> answer)
        : server_("wg0.sock", [this, answer](int conn) {
              request_ = read_some(conn);
              answer(conn);
          }) {}
    const std::string& path() const { return server_.path(); }
    const std::string& request() const { return request_; }

  private:
    std::string request_;
    OneConnectionServer server_;  // last: its thread is joined before request_ goes
};

omp::SourceReport run(const std::string& socket, std::chrono::milliseconds timeout = 2000ms) {
    omp::WgOptions options;
    options.timeout = timeout;
    omp::SourceQueries queries;
    queries.push_back(std::make_unique<omp::WgUapiQuery>(
        omp::WgInterface{"wg", "wg0"}, socket, options, std::make_shared<const omp::PeerNames>(),
        omp::SteadyClock::now()));
    return std::move(omp::run_queries(std::move(queries)).front());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wg_uapi_query)

BOOST_AUTO_TEST_CASE(a_whole_answer_becomes_a_wireguard_report) {
    StandInUapi uapi([](int fd) { send_all(fd, fixture()); });
    auto report = run(uapi.path());
    BOOST_TEST(report.ok, report.error);
    BOOST_TEST(report.kind == "wireguard");
    BOOST_TEST(uapi.request() == "get=1\n\n");
}

BOOST_AUTO_TEST_CASE(an_answer_in_pieces_is_put_together) {
    StandInUapi uapi([](int fd) {
        std::string text = fixture();
        for (std::size_t i = 0; i < text.size(); i += 7) {
            send_all(fd, text.substr(i, 7));
            std::this_thread::sleep_for(1ms);
        }
    });
    BOOST_TEST(run(uapi.path()).ok);
}

BOOST_AUTO_TEST_CASE(a_silent_socket_is_an_error_at_the_deadline) {
    StandInUapi uapi([](int) { std::this_thread::sleep_for(1s); });
    auto started = std::chrono::steady_clock::now();
    auto report = run(uapi.path(), 200ms);
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("within 200 ms") != std::string::npos, report.error);
    BOOST_TEST((std::chrono::steady_clock::now() - started < 900ms));
}

BOOST_AUTO_TEST_CASE(an_answer_cut_short_is_an_error) {
    StandInUapi uapi([](int fd) { send_all(fd, fixture().substr(0, 300)); });
    auto report = run(uapi.path());
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("before a whole answer") != std::string::npos, report.error);
}

BOOST_AUTO_TEST_CASE(a_failed_get_is_an_error_naming_the_errno) {
    StandInUapi uapi([](int fd) { send_all(fd, "errno=19\n\n"); });
    auto report = run(uapi.path());
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("errno 19") != std::string::npos, report.error);
}

BOOST_AUTO_TEST_CASE(a_socket_nobody_listens_on_is_an_error_naming_it) {
    auto report = run("/nonexistent/wg0.sock");
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("/nonexistent/wg0.sock") != std::string::npos, report.error);
}

BOOST_AUTO_TEST_SUITE_END()

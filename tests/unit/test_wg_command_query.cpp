// The WireGuard source's process handling, with stand-in `wg` scripts for the faults (a hung,
// failing, chatty or missing wg). The real wg against real wireguard-go is in
// tests/e2e/test_wireguard.py.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "fixtures.hpp"
#include "wireguard/wg_command_query.hpp"

using namespace std::chrono_literals;

namespace {

struct FakeWg {
    TempDir dir;
    std::string path = dir.str() + "/wg";
    explicit FakeWg(const std::string& script) {
        std::ofstream(path) << "#!/bin/sh\n" << script;
        chmod(path.c_str(), 0755);
    }
};

omp::SourceReport run(const std::string& command, std::chrono::milliseconds timeout = 2000ms) {
    omp::WgOptions options;
    options.command = command;
    options.timeout = timeout;
    omp::SourceQueries queries;
    queries.push_back(std::make_unique<omp::WgCommandQuery>(
        omp::WgInterface{"wg", "wg0"}, options, std::make_shared<const omp::PeerNames>(),
        omp::SteadyClock::now()));
    return std::move(omp::run_queries(std::move(queries)).front());
}

bool has_child_left() {
    return waitpid(-1, nullptr, WNOHANG) != -1 || errno != ECHILD;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wg_command_query)

BOOST_AUTO_TEST_CASE(a_dump_becomes_a_wireguard_report) {
    FakeWg wg("[ \"$1 $2 $3\" = 'show wg0 dump' ] || exit 9\ncat " + std::string(OMP_TEST_DATA) +
              "/wg/wireguard-go-0.0.20220316.dump\n");
    auto report = run(wg.path);
    BOOST_TEST(report.ok, report.error);
    BOOST_TEST(report.kind == "wireguard");
    BOOST_TEST(report.name == "wg");
    BOOST_TEST(report.status.malformed_rows == 0u);
    BOOST_TEST(!has_child_left());
}

BOOST_AUTO_TEST_CASE(a_failing_wg_is_an_error_quoting_what_it_said) {
    FakeWg wg("echo 'Unable to access interface: No such device' >&2\nexit 1\n");
    auto report = run(wg.path);
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("wg0") != std::string::npos, report.error);
    BOOST_TEST(report.error.find("exited with status 1") != std::string::npos, report.error);
    BOOST_TEST(report.error.find("No such device") != std::string::npos, report.error);
}

BOOST_AUTO_TEST_CASE(a_hung_wg_is_killed_at_the_deadline) {
    FakeWg wg("exec sleep 30\n");
    auto started = std::chrono::steady_clock::now();
    auto report = run(wg.path, 300ms);
    auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("within 300 ms") != std::string::npos, report.error);
    BOOST_TEST((took < 5s));
    BOOST_TEST(!has_child_left());
}

BOOST_AUTO_TEST_CASE(a_wg_that_closes_its_output_but_keeps_running_is_killed_at_the_deadline) {
    FakeWg wg("exec >/dev/null 2>&1\nexec sleep 30\n");
    auto report = run(wg.path, 300ms);
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("within 300 ms") != std::string::npos, report.error);
    BOOST_TEST(!has_child_left());
}

BOOST_AUTO_TEST_CASE(garbage_output_is_an_error_that_quotes_nothing) {
    FakeWg wg("printf 'secret\\tkey\\tmaterial\\there\\tand\\tmore\\n'\n");
    auto report = run(wg.path);
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("secret") == std::string::npos, report.error);
}

BOOST_AUTO_TEST_CASE(a_missing_wg_says_what_to_install) {
    auto report = run("/nonexistent/wg");
    BOOST_TEST(!report.ok);
    BOOST_TEST(report.error.find("install wireguard-tools") != std::string::npos, report.error);
}

BOOST_AUTO_TEST_CASE(interface_specs_are_checked) {
    BOOST_TEST(omp::parse_wg_interface("wg=wg0").ok());
    BOOST_TEST(!omp::parse_wg_interface("wg0").ok());
    BOOST_TEST(!omp::parse_wg_interface("wg=").ok());
    BOOST_TEST(!omp::parse_wg_interface("wg=a-name-far-too-long").ok());
    BOOST_TEST(!omp::parse_wg_interface("wg=../x").ok());
    BOOST_TEST(!omp::parse_wg_interface("w g=wg0").ok());
    auto bad = omp::parse_wg_interface("wg=wg 0");
    BOOST_REQUIRE(!bad.ok());
    BOOST_TEST(bad.error().message.find("`wg=wg 0'") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include "core/merger.hpp"

namespace {

omp::Session session(std::string source, std::string username, std::int64_t connected_at) {
    omp::Session s;
    s.source = std::move(source);
    s.username = std::move(username);
    s.common_name = s.username;
    s.connected_at = connected_at;
    return s;
}

omp::SourceReport report(std::string name, std::vector<omp::Session> sessions) {
    omp::SourceReport r;
    r.name = std::move(name);
    r.ok = true;
    r.status.sessions = std::move(sessions);
    return r;
}

omp::SourceReport failed(std::string name, std::string error) {
    omp::SourceReport r;
    r.name = std::move(name);
    r.error = std::move(error);
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(merger)

BOOST_AUTO_TEST_CASE(dedupe_keeps_most_recent_session_across_endpoints) {
    std::vector<omp::SourceReport> reports;
    reports.push_back(report("udp", {session("udp", "alice", 100), session("udp", "bob", 50)}));
    reports.push_back(report("tcp", {session("tcp", "alice", 200)}));
    auto snap = omp::merge_reports(std::move(reports));
    BOOST_REQUIRE(snap.users.size() == 2u);
    BOOST_TEST(snap.users[0]->username == "alice");
    BOOST_TEST(snap.users[0]->source == "tcp");
    BOOST_TEST(snap.users[0]->connected_at == 200);
}

BOOST_AUTO_TEST_CASE(dedupe_keeps_most_recent_even_when_it_comes_first) {
    std::vector<omp::SourceReport> reports;
    reports.push_back(report("udp", {session("udp", "alice", 300)}));
    reports.push_back(report("tcp", {session("tcp", "alice", 200)}));
    auto snap = omp::merge_reports(std::move(reports));
    BOOST_REQUIRE(snap.users.size() == 1u);
    BOOST_TEST(snap.users[0]->source == "udp");
}

BOOST_AUTO_TEST_CASE(two_sessions_of_one_username_on_one_server_give_one_user) {
    std::vector<omp::SourceReport> reports;
    reports.push_back(report("udp", {session("udp", "alice", 1), session("udp", "alice", 2)}));
    auto snap = omp::merge_reports(std::move(reports));
    BOOST_REQUIRE(snap.users.size() == 1u);
    BOOST_TEST(snap.users[0]->connected_at == 2);
}

BOOST_AUTO_TEST_CASE(users_are_sorted_by_username) {
    std::vector<omp::SourceReport> reports;
    reports.push_back(report("udp", {session("udp", "zed", 1), session("udp", "amy", 1)}));
    auto snap = omp::merge_reports(std::move(reports));
    BOOST_TEST(snap.users[0]->username == "amy");
    BOOST_TEST(snap.users[1]->username == "zed");
}

BOOST_AUTO_TEST_CASE(a_failed_endpoint_keeps_its_summary_and_hides_nobody) {
    std::vector<omp::SourceReport> reports;
    reports.push_back(failed("udp", "127.0.0.1:7505: connect: Connection refused"));
    reports.push_back(report("tcp", {session("tcp", "carol", 5)}));
    auto snap = omp::merge_reports(std::move(reports));
    BOOST_TEST(snap.users.size() == 1u);
    BOOST_REQUIRE(snap.sources.size() == 2u);
    BOOST_TEST(!snap.sources[0].ok);
    BOOST_TEST(snap.sources[0].error == "127.0.0.1:7505: connect: Connection refused");
    BOOST_TEST(snap.sources[1].ok);
    BOOST_TEST(snap.sources[1].sessions == 1u);
}

BOOST_AUTO_TEST_CASE(no_sessions_anywhere_gives_an_empty_list) {
    std::vector<omp::SourceReport> reports;
    reports.push_back(report("udp", {}));
    reports.push_back(report("tcp", {}));
    auto snap = omp::merge_reports(std::move(reports));
    BOOST_TEST(snap.users.empty());
    BOOST_TEST(snap.sources.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

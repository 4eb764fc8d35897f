// Disconnect reasons from OpenVPN 2.6's own log lines (captured from real servers, see
// tests/e2e/test_reasons.py for the same reasons caused for real).
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>

#include "records/disconnect_reasons.hpp"

using omp::ReasonHint;
using namespace std::chrono_literals;

namespace {

std::string reason_of(const char* line) {
    auto hint = omp::classify_log_line(line);
    return hint ? hint->reason : "none";
}

// A hint on one line: scope, who it names and the reason ("-" when the line gives none).
std::string hint_of(const char* line) {
    auto h = omp::classify_log_line(line);
    if (!h) return "-";
    const char* scopes[] = {"session", "common_name", "source"};
    return std::string(scopes[static_cast<int>(h->scope)]) + " " + h->common_name + " " +
           h->real_ip + ":" + std::to_string(h->real_port) + " " + h->reason;
}

const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;

ReasonHint session_hint(std::string cn, std::uint16_t port, std::string reason) {
    ReasonHint h;
    h.scope = ReasonHint::Scope::session;
    h.common_name = std::move(cn);
    h.real_ip = "127.0.0.1";
    h.real_port = port;
    h.reason = std::move(reason);
    return h;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ovpn_log)

BOOST_AUTO_TEST_CASE(lines_of_openvpn_2_6_give_the_reason) {
    BOOST_TEST(
        reason_of("2026-11-26 00:06:06 exit1/127.0.0.1:54490 SIGTERM[soft,delayed-exit] received, "
                  "client-instance exiting") == "client-exit");
    BOOST_TEST(
        reason_of(
            "2026-11-26 00:06:01 exit1/127.0.0.1:54490 CC-EEN exit message received by peer") ==
        "client-exit");
    BOOST_TEST(reason_of("2026-11-26 00:06:10 ping2/127.0.0.1:45118 [ping2] Inactivity timeout "
                         "(--ping-restart), "
                         "restarting") == "ping-timeout");
    BOOST_TEST(
        reason_of(
            "2026-11-26 00:06:02 kick3/127.0.0.1:45302 SIGTERM[soft,] received, client-instance "
            "exiting") == "kicked");
    BOOST_TEST(
        reason_of("2026-11-26 00:06:03 reset4/127.0.0.1:45310 Connection reset, restarting [0]") ==
        "connection-reset");
    BOOST_TEST(
        reason_of(
            "2026-11-26 00:06:03 bob/192.0.2.1:1194 TLS Error: TLS key negotiation failed to occur "
            "within 60 seconds (check your network connectivity)") == "tls-error");
    BOOST_TEST(reason_of("2026-11-26 00:06:33 SIGTERM[hard,] received, process exiting") ==
               "server-shutdown");
    BOOST_TEST(
        reason_of(
            "2026-11-26 00:06:31 MULTI: new connection by client 'dup' will cause previous active "
            "sessions by this client to be dropped.  Remember to use the --duplicate-cn option") ==
        "replaced");
}

BOOST_AUTO_TEST_CASE(session_lines_name_the_session) {
    BOOST_TEST(
        hint_of("2026-11-26 00:06:03 reset4/127.0.0.1:45310 Connection reset, restarting [0]") ==
        "session reset4 127.0.0.1:45310 connection-reset");
}

BOOST_AUTO_TEST_CASE(an_inactivity_timeout_without_the_session_prefix_names_the_client) {
    // Seen with several clients connected: OpenVPN handles the timer outside the client's context.
    BOOST_TEST(
        hint_of("2026-11-26 00:11:48 [vanishes] Inactivity timeout (--ping-restart), restarting") ==
        "common_name vanishes :0 ping-timeout");
}

BOOST_AUTO_TEST_CASE(lines_without_a_timestamp_as_in_the_journal_work_too) {
    BOOST_TEST(reason_of("reset4/127.0.0.1:45310 Connection reset, restarting [0]") ==
               "connection-reset");
}

BOOST_AUTO_TEST_CASE(lines_about_anything_else_give_no_reason) {
    BOOST_TEST(reason_of("2026-11-26 00:06:29 tcpexit/127.0.0.1:58310 PLUGIN_CALL: POST "
                         "x/PLUGIN_CLIENT_CONNECT_V2 "
                         "status=0") == "none");
    BOOST_TEST(reason_of("2026-11-26 00:06:11 Initialization Sequence Completed") == "none");
    BOOST_TEST(reason_of("") == "none");
    BOOST_TEST(reason_of("garbage/notanaddress Connection reset") == "none");
}

// A client chooses text that OpenVPN logs (its peer info; its username, which is also its
// common name with username-as-common-name). It must not write another session's reason.
BOOST_AUTO_TEST_CASE(a_name_a_client_chose_cannot_forge_another_sessions_reason) {
    // Peer info quoting OpenVPN's replace message, for `victim'.
    BOOST_TEST(reason_of("evil/203.0.113.5:4444 peer info: IV_GUI_VER=MULTI: new connection by "
                         "client 'victim' will cause previous active sessions by this client to "
                         "be dropped.") == "none");
    // A username that holds victim's session prefix and a reason: the line splits two ways.
    BOOST_TEST(reason_of("victim/198.51.100.7:5000 Connection reset, x/203.0.113.5:4444 "
                         "Connection reset, restarting [0]") == "none");
    // A username with a bracket: the timeout is the user's own, under its whole name.
    auto h = omp::classify_log_line(
        "x [victim/203.0.113.5:4444 [x [victim] Inactivity timeout (--ping-restart), restarting");
    BOOST_REQUIRE(h);
    BOOST_TEST(h->common_name == "x [victim");
    // A username made to look like the server's shutdown.
    BOOST_TEST(reason_of("SIGTERM[hard,]/203.0.113.5:4444 SIGTERM[soft,remote-exit] received, "
                         "process exiting") == "none");
}

BOOST_AUTO_TEST_CASE(a_common_name_with_spaces_still_names_its_session) {
    auto h = omp::classify_log_line(
        "John Doe/192.0.2.1:1194 SIGTERM[soft,remote-exit] received, client-instance exiting");
    BOOST_REQUIRE(h);
    BOOST_TEST(h->common_name == "John Doe");
    BOOST_TEST(h->reason == "client-exit");
}

BOOST_AUTO_TEST_CASE(a_replace_message_after_the_new_sessions_prefix_names_the_client) {
    auto h = omp::classify_log_line(
        "nikolai/198.51.100.58:59766 MULTI: new connection by client 'nikolai' will cause "
        "previous active sessions by this client to be dropped.  Remember to use the "
        "--duplicate-cn option if you want multiple clients using the same certificate or "
        "username to concurrently connect.");
    BOOST_REQUIRE(h);
    BOOST_TEST(h->common_name == "nikolai");
    BOOST_TEST(h->reason == "replaced");
}

BOOST_AUTO_TEST_CASE(the_sessions_own_line_wins_over_name_and_server_hints) {
    omp::ReasonBook book;
    ReasonHint shutdown;
    shutdown.scope = ReasonHint::Scope::source;
    shutdown.reason = "server-shutdown";
    book.add("udp", shutdown, t0);
    book.add("udp", session_hint("alice", 5000, "ping-timeout"), t0);
    BOOST_TEST(*book.reason_for({"udp", "alice", "127.0.0.1", 5000}, t0) == "ping-timeout");
    BOOST_TEST(*book.reason_for({"udp", "bob", "127.0.0.1", 6000}, t0) == "server-shutdown");
}

BOOST_AUTO_TEST_CASE(hints_count_only_for_their_instance_and_near_in_time) {
    omp::ReasonBook book;
    book.add("udp", session_hint("alice", 5000, "kicked"), t0);
    BOOST_TEST(!book.reason_for({"tcp", "alice", "127.0.0.1", 5000}, t0));
    BOOST_TEST(!book.reason_for({"udp", "alice", "127.0.0.1", 5000}, t0 + 60s));
    BOOST_TEST(!book.reason_for({"udp", "alice", "127.0.0.1", 5001}, t0));  // another session
}

BOOST_AUTO_TEST_CASE(a_replaced_login_names_the_common_name) {
    omp::ReasonBook book;
    ReasonHint replaced;
    replaced.scope = ReasonHint::Scope::common_name;
    replaced.common_name = "dup";
    replaced.reason = "replaced";
    book.add("udp", replaced, t0 + 1s);
    BOOST_TEST(*book.reason_for({"udp", "dup", "127.0.0.1", 39401}, t0) == "replaced");
    BOOST_TEST(!book.reason_for({"udp", "other", "127.0.0.1", 39401}, t0));
}

BOOST_AUTO_TEST_CASE(follower_reads_only_new_lines_and_follows_rotation_and_truncation) {
    char name[] = "/tmp/omp-log-XXXXXX";
    int fd = mkstemp(name);
    close(fd);
    std::string path = name;
    std::ofstream(path) << "old line before start\n";
    auto follower = omp::LogFollower::open(path);
    BOOST_REQUIRE(follower.ok());
    std::vector<std::string> seen;
    auto collect = [&](std::string_view l) { seen.emplace_back(l); };

    std::ofstream(path, std::ios::app) << "first\nsecond par";
    follower->read_new_lines(collect);
    BOOST_TEST(seen == (std::vector<std::string>{"first"}));
    std::ofstream(path, std::ios::app) << "tial\n";
    follower->read_new_lines(collect);
    BOOST_TEST(seen.back() == "second partial");

    std::rename(path.c_str(), (path + ".1").c_str());  // logrotate
    std::ofstream(path) << "after rotation\n";
    follower->read_new_lines(collect);
    BOOST_TEST(seen.back() == "after rotation");

    std::ofstream(path, std::ios::app) << std::string(200, 'x') << "\n";
    follower->read_new_lines(collect);
    std::ofstream(path, std::ios::trunc) << "after truncation\n";  // copytruncate
    follower->read_new_lines(collect);
    BOOST_TEST(seen.back() == "after truncation");
    unlink(path.c_str());
    unlink((path + ".1").c_str());
}

BOOST_AUTO_TEST_SUITE_END()

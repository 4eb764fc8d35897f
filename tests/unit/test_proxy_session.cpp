// One client of the read-only management proxy, as bytes in and bytes out: the greeting or the
// password prompt, one answer per command line with OpenVPN's \r\n, the next command only once
// the last answer is sent, and the ways a session ends. No socket: the proxy's socket side
// (proxy_server.cpp) only moves these bytes.
#include <boost/test/unit_test.hpp>

#include "mgmt_proxy/proxy_session.hpp"

namespace {

using omp::ProxySession;

const omp::MgmtTranscript kTranscript{
    ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info",
    "OpenVPN Version: OpenVPN 2.6.14\nManagement Version: 5\n",
    "1796402400,CONNECTED,SUCCESS,10.8.0.1,,,,,\n",
    "SUCCESS: nclients=1,bytesin=1000,bytesout=2000",
    "TITLE\tOpenVPN 2.6.14\nTIME\t2026-12-04 16:50:00\t1796403000\n"};

// Everything queued so far, as the socket would send it, and the session told so.
std::string take(ProxySession& session) {
    std::string out;
    out.swap(session.output());
    session.answer_waiting(&kTranscript);
    return out;
}

ProxySession started(std::optional<std::string> password = std::nullopt) {
    ProxySession session("udp", std::move(password));
    session.begin(&kTranscript);
    return session;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_session)

BOOST_AUTO_TEST_CASE(a_client_is_greeted_as_openvpn_greets_with_crlf) {
    auto session = started();
    BOOST_TEST(take(session) == kTranscript.greeting + "\r\n");
    BOOST_TEST(session.reading());
}

BOOST_AUTO_TEST_CASE(without_a_poll_yet_the_greeting_is_openvpns_default) {
    ProxySession session("udp", std::nullopt);
    session.begin(nullptr);
    BOOST_TEST(session.output().starts_with(">INFO:OpenVPN Management Interface Version 5"));
}

BOOST_AUTO_TEST_CASE(each_command_line_gets_its_answer_with_crlf_line_ends) {
    auto session = started();
    take(session);
    session.received("status 3\n", &kTranscript);
    BOOST_TEST(take(session) ==
               "TITLE\tOpenVPN 2.6.14\r\nTIME\t2026-12-04 16:50:00\t1796403000\r\nEND\r\n");
    session.received("load-stats\r\n", &kTranscript);
    BOOST_TEST(take(session) == "SUCCESS: nclients=1,bytesin=1000,bytesout=2000\r\n");
}

BOOST_AUTO_TEST_CASE(a_command_split_across_reads_is_answered_once_complete) {
    auto session = started();
    take(session);
    session.received("stat", &kTranscript);
    BOOST_TEST(session.output().empty());
    session.received("us 3", &kTranscript);
    BOOST_TEST(session.output().empty());
    session.received("\n", &kTranscript);
    BOOST_TEST(session.output().ends_with("END\r\n"));
}

BOOST_AUTO_TEST_CASE(the_next_command_waits_until_the_last_answer_is_sent) {
    auto session = started();
    take(session);
    session.received("load-stats\nversion\nstatus 3\n", &kTranscript);
    BOOST_TEST(session.output() == "SUCCESS: nclients=1,bytesin=1000,bytesout=2000\r\n");
    BOOST_TEST(!session.reading());  // nothing more is read while an answer is unsent
    BOOST_TEST(take(session).starts_with("SUCCESS"));
    BOOST_TEST(take(session).starts_with("OpenVPN Version"));
    BOOST_TEST(take(session).ends_with("END\r\n"));
    BOOST_TEST(session.output().empty());
    BOOST_TEST(session.reading());
}

BOOST_AUTO_TEST_CASE(quit_ends_the_session_once_its_answer_is_sent) {
    auto session = started();
    take(session);
    session.received("quit\nstatus 3\n", &kTranscript);
    take(session);
    BOOST_TEST(session.finished());
    BOOST_TEST(session.output().empty());  // what came after quit is never answered
}

BOOST_AUTO_TEST_CASE(commands_that_change_openvpn_are_refused_and_the_session_goes_on) {
    auto session = started();
    take(session);
    session.received("kill alice\n", &kTranscript);
    BOOST_TEST(take(session).starts_with("ERROR:"));
    BOOST_TEST(!session.finished());
}

BOOST_AUTO_TEST_CASE(with_a_password_it_is_asked_for_first) {
    auto session = started(std::string("s3cret"));
    BOOST_TEST(take(session) == "ENTER PASSWORD:");
    session.received("status 3\n", &kTranscript);  // taken as a wrong password
    BOOST_TEST(take(session) == "ERROR: bad password\r\n");
    BOOST_TEST(session.finished());
}

BOOST_AUTO_TEST_CASE(the_right_password_gets_the_greeting_then_answers) {
    auto session = started(std::string("s3cret"));
    take(session);
    session.received("s3cret\r\nload-stats\n", &kTranscript);
    BOOST_TEST(take(session) == "SUCCESS: password is correct\r\n" + kTranscript.greeting + "\r\n");
    BOOST_TEST(take(session).starts_with("SUCCESS: nclients=1"));
}

BOOST_AUTO_TEST_CASE(a_line_too_long_ends_the_session_without_an_answer) {
    auto session = started();
    take(session);
    session.received(std::string(ProxySession::kMaxLine + 1, 'x'), &kTranscript);
    BOOST_TEST(session.finished());
    BOOST_TEST(session.output().empty());
}

BOOST_AUTO_TEST_CASE(a_long_line_that_ends_in_time_is_answered) {
    auto session = started();
    take(session);
    session.received(std::string(ProxySession::kMaxLine - 1, 'x') + "\n", &kTranscript);
    BOOST_TEST(take(session).starts_with("ERROR:"));
    BOOST_TEST(!session.finished());
}

BOOST_AUTO_TEST_CASE(what_was_asked_before_the_peer_closed_is_still_answered) {
    auto session = started();
    take(session);
    session.received("load-stats\nversion\n", &kTranscript);
    session.peer_closed(&kTranscript);
    BOOST_TEST(!session.finished());
    BOOST_TEST(take(session).starts_with("SUCCESS"));
    BOOST_TEST(!session.finished());
    BOOST_TEST(take(session).starts_with("OpenVPN Version"));
    BOOST_TEST(session.finished());
}

BOOST_AUTO_TEST_CASE(a_peer_that_closes_mid_line_ends_the_session) {
    auto session = started();
    take(session);
    session.received("status", &kTranscript);
    session.peer_closed(&kTranscript);
    BOOST_TEST(session.finished());
}

BOOST_AUTO_TEST_SUITE_END()

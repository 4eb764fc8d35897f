#include <boost/test/unit_test.hpp>

#include "openvpn/mgmt_conversation.hpp"

namespace {

const char* kGreeting =
    ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n";
const char* kStatus =
    "TITLE\tOpenVPN 2.6.14\r\n"
    "HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tBytes Received\tBytes Sent\t"
    "Connected Since (time_t)\tUsername\r\n"
    "CLIENT_LIST\talice\t192.0.2.1:5\t10.8.0.2\t1\t2\t1700000000\tUNDEF\r\n";

// How a conversation without a password failed after it was fed `inputs` in turn, taking what
// it wrote after each; "not failed" while it has not.
std::string failure_after(std::initializer_list<std::string_view> inputs) {
    omp::MgmtConversation c("udp", std::nullopt);
    for (auto input : inputs) {
        c.feed(input);
        c.take_output();
    }
    return c.failed() ? c.error() : "not failed";
}

// What the conversation writes after each of `inputs` in turn: one command a step, without its
// newline, "-" where it writes nothing.
std::string commands_after(omp::MgmtConversation& c,
                           std::initializer_list<std::string_view> inputs) {
    std::string said;
    for (auto input : inputs) {
        c.feed(input);
        auto out = c.take_output();
        if (!out.empty() && out.back() == '\n') out.pop_back();
        said += (said.empty() ? "" : ", ") + (out.empty() ? std::string("-") : out);
    }
    return said;
}

bool mentions(const std::string& text, const char* part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mgmt_conversation)

BOOST_AUTO_TEST_CASE(asks_status_after_greeting_and_quits_after_end) {
    omp::MgmtConversation c("udp", std::nullopt);
    BOOST_TEST(commands_after(c, {"", kGreeting, kStatus}) == "-, status 3, -");
    BOOST_TEST(!c.finished());
    BOOST_TEST(commands_after(c, {"END\r\n"}) == "quit");
    BOOST_REQUIRE(c.finished());
    BOOST_REQUIRE(!c.failed());
    auto status = c.take_status();
    BOOST_REQUIRE(status.sessions.size() == 1u);
    BOOST_TEST(status.sessions[0].source == "udp");
}

BOOST_AUTO_TEST_CASE(for_a_proxy_it_asks_version_state_and_load_stats_and_keeps_every_answer) {
    omp::MgmtConversation c("udp", std::nullopt, true);
    BOOST_TEST(
        commands_after(
            c, {kGreeting, "OpenVPN Version: OpenVPN 2.6.3 x86_64-pc-linux-gnu\r\n>LOG:x\r\n",
                "Management Version: 5\r\nEND\r\n",
                "1796402400,CONNECTED,SUCCESS,10.8.0.1,,,,,\r\nEND\r\n",
                "SUCCESS: nclients=1,bytesin=10,bytesout=20\r\n", kStatus, "END\r\n"}) ==
        "version, -, state, load-stats, status 3, -, quit");
    BOOST_REQUIRE(c.finished());
    BOOST_REQUIRE(!c.failed());
    auto status = c.take_status();
    BOOST_TEST(status.sessions.size() == 1u);
    BOOST_REQUIRE(status.transcript);
    BOOST_TEST(status.transcript->greeting ==
               ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info");
    BOOST_TEST(status.transcript->version ==
               "OpenVPN Version: OpenVPN 2.6.3 x86_64-pc-linux-gnu\nManagement Version: 5\n");
    BOOST_TEST(status.transcript->state == "1796402400,CONNECTED,SUCCESS,10.8.0.1,,,,,\n");
    BOOST_TEST(status.transcript->load_stats == "SUCCESS: nclients=1,bytesin=10,bytesout=20");
    BOOST_TEST(status.transcript->status.starts_with("TITLE\tOpenVPN 2.6.14\nHEADER\tCLIENT_LIST"));
    BOOST_TEST(status.transcript->status.ends_with(
        "\nCLIENT_LIST\talice\t192.0.2.1:5\t10.8.0.2\t1\t2\t1700000000\tUNDEF\n"));
}

BOOST_AUTO_TEST_CASE(without_a_proxy_nothing_is_kept) {
    omp::MgmtConversation c("udp", std::nullopt);
    c.feed(kGreeting);
    c.take_output();
    c.feed(kStatus);
    c.feed("END\r\n");
    BOOST_TEST(!c.take_status().transcript);
}

BOOST_AUTO_TEST_CASE(sends_password_at_the_prompt) {
    omp::MgmtConversation c("udp", std::string("pw"));
    c.feed("ENTER PASSWORD:");
    BOOST_TEST(c.take_output() == "pw\n");
    c.feed("SUCCESS: password is correct\r\n");
    BOOST_TEST(c.take_output() == "status 3\n");
    c.feed(kGreeting);  // comes after the password; ignored
    c.feed(kStatus);
    c.feed("END\r\n");
    BOOST_TEST(c.finished());
    BOOST_TEST(!c.failed());
}

BOOST_AUTO_TEST_CASE(a_prompt_without_a_configured_password_fails) {
    BOOST_TEST(mentions(failure_after({"ENTER PASSWORD:"}), "password"));
}

BOOST_AUTO_TEST_CASE(a_second_prompt_means_the_password_was_wrong) {
    omp::MgmtConversation c("udp", std::string("wrong"));
    c.feed("ENTER PASSWORD:");
    c.take_output();
    c.feed("ENTER PASSWORD:");
    BOOST_TEST(c.failed());
    BOOST_TEST(c.error() == "rejected the management password");
}

BOOST_AUTO_TEST_CASE(real_time_notifications_are_skipped_anywhere) {
    omp::MgmtConversation c("udp", std::nullopt);
    c.feed(">HOLD:Waiting for hold release\r\n");
    c.feed(kGreeting);
    c.take_output();
    c.feed(">CLIENT:ESTABLISHED,0\r\n>CLIENT:ENV,END\r\n");
    c.feed(kStatus);
    c.feed(">BYTECOUNT_CLI:0,1,2\r\nEND\r\n");
    BOOST_REQUIRE(!c.failed());
    BOOST_TEST(c.take_status().sessions.size() == 1u);
}

BOOST_AUTO_TEST_CASE(input_split_at_any_byte_gives_the_same_result) {
    std::string all = std::string(kGreeting) + kStatus + "END\r\n";
    for (std::size_t cut = 1; cut < all.size(); cut += 7) {
        omp::MgmtConversation c("udp", std::nullopt);
        c.feed(std::string_view(all).substr(0, cut));
        c.feed(std::string_view(all).substr(cut));
        BOOST_REQUIRE(c.finished());
        BOOST_TEST(c.take_status().sessions.size() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(garbage_greeting_is_an_error_quoting_it) {
    BOOST_TEST(
        mentions(failure_after({"HTTP/1.1 400 Bad Request\r\n"}), "`HTTP/1.1 400 Bad Request'"));
}

BOOST_AUTO_TEST_CASE(an_error_answer_fails) {
    BOOST_TEST(failure_after({kGreeting, "ERROR: unknown command\r\n"}) != "not failed");
}

BOOST_AUTO_TEST_CASE(closing_before_end_is_an_error) {
    omp::MgmtConversation c("udp", std::nullopt);
    c.feed(kGreeting);
    c.feed(kStatus);
    c.closed();
    BOOST_TEST(c.failed());
    BOOST_TEST(c.error().find("before END") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_endless_line_is_refused) {
    std::string junk(omp::MgmtConversation::kMaxLine + 10, 'x');
    BOOST_TEST(failure_after({junk}) != "not failed");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mgmt_conversation_bounds)

BOOST_AUTO_TEST_CASE(more_rows_than_any_openvpn_lists_are_refused) {
    omp::MgmtConversation c("udp", std::nullopt);
    c.feed(kGreeting);
    c.feed(kStatus);
    std::string row = "CLIENT_LIST\tx\t192.0.2.1:5\t10.8.0.2\t1\t2\t1700000000\tx\r\n";
    std::string many;
    for (std::size_t i = 0; i < 1000; ++i) many += row;
    for (std::size_t i = 0; i <= omp::MgmtConversation::kMaxRows / 1000 && !c.finished(); ++i)
        c.feed(many);
    BOOST_TEST(c.failed());
    BOOST_TEST(c.error().find("lists more than") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// The read-only management proxy's answers: OpenVPN's own, in the format asked for, and
// ERROR for everything that would change OpenVPN.
#include <boost/test/unit_test.hpp>

#include "mgmt_proxy/proxy_answers.hpp"

namespace {

// OpenVPN 2.6's `status 3`, as the daemon's poll kept it.
const char* kStatus3 =
    "TITLE\tOpenVPN 2.6.3 x86_64-pc-linux-gnu\n"
    "TIME\t2026-12-04 16:50:00\t1796403000\n"
    "HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\t"
    "Bytes Received\tBytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\t"
    "Peer ID\tData Channel Cipher\n"
    "CLIENT_LIST\talice\t192.0.2.7:40000\t10.8.0.2\t\t100\t200\t2026-12-04 16:40:00\t1796402400\t"
    "alice\t0\t0\tAES-256-GCM\n"
    "HEADER\tROUTING_TABLE\tVirtual Address\tCommon Name\tReal Address\tLast Ref\tLast Ref "
    "(time_t)\n"
    "ROUTING_TABLE\t10.8.0.2\talice\t192.0.2.7:40000\t2026-12-04 16:49:59\t1796402999\n"
    "GLOBAL_STATS\tMax bcast/mcast queue length\t0\n"
    "GLOBAL_STATS\tdco_enabled\t0\n";

omp::MgmtTranscript transcript() {
    return {">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info",
            "OpenVPN Version: OpenVPN 2.6.3\nManagement Version: 5\n",
            "1796402400,CONNECTED,SUCCESS,10.8.0.1,,,,,\n",
            "SUCCESS: nclients=1,bytesin=1000,bytesout=2000", kStatus3};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_answers)

BOOST_AUTO_TEST_CASE(status_3_is_openvpns_own_answer_and_status_2_the_same_with_commas) {
    auto t = transcript();
    BOOST_TEST(omp::answer_command("status 3", &t, "udp").text == std::string(kStatus3) + "END\n");
    auto v2 = omp::answer_command("status 2\r", &t, "udp").text;
    BOOST_TEST(v2.find('\t') == std::string::npos);
    BOOST_TEST(v2.find("\nCLIENT_LIST,alice,192.0.2.7:40000,10.8.0.2,,100,200,") !=
               std::string::npos);
    BOOST_TEST(v2.ends_with("GLOBAL_STATS,dco_enabled,0\nEND\n"));
}

BOOST_AUTO_TEST_CASE(status_1_is_made_from_status_3_by_column_name) {
    auto t = transcript();
    BOOST_TEST(omp::answer_command("status", &t, "udp").text ==
               "OpenVPN CLIENT LIST\n"
               "Updated,2026-12-04 16:50:00\n"
               "Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n"
               "alice,192.0.2.7:40000,100,200,2026-12-04 16:40:00\n"
               "ROUTING TABLE\n"
               "Virtual Address,Common Name,Real Address,Last Ref\n"
               "10.8.0.2,alice,192.0.2.7:40000,2026-12-04 16:49:59\n"
               "GLOBAL STATS\n"
               "Max bcast/mcast queue length,0\n"
               "END\n");
    BOOST_TEST(omp::answer_command("status 1", &t, "udp").text ==
               omp::answer_command("status", &t, "udp").text);
}

BOOST_AUTO_TEST_CASE(version_load_stats_help_and_quit) {
    auto t = transcript();
    BOOST_TEST(omp::answer_command("version", &t, "udp").text ==
               "OpenVPN Version: OpenVPN 2.6.3\nManagement Version: 5\nEND\n");
    BOOST_TEST(omp::answer_command("load-stats", &t, "udp").text ==
               "SUCCESS: nclients=1,bytesin=1000,bytesout=2000\n");
    BOOST_TEST(omp::answer_command("state", &t, "udp").text ==
               "1796402400,CONNECTED,SUCCESS,10.8.0.1,,,,,\nEND\n");
    BOOST_TEST(omp::answer_command("state on", &t, "udp").text.starts_with("ERROR: "));
    BOOST_TEST(omp::answer_command("help", &t, "udp").text.ends_with("END\n"));
    BOOST_TEST(omp::answer_command("quit", &t, "udp").close);
    BOOST_TEST(omp::answer_command("exit", &t, "udp").close);
    BOOST_TEST(omp::answer_command("", &t, "udp").text.empty());
}

BOOST_AUTO_TEST_CASE(every_command_that_would_change_openvpn_is_refused) {
    auto t = transcript();
    for (const char* command :
         {"kill alice", "client-kill 0", "signal SIGTERM", "hold release", "log on all", "state on",
          "state all", "bytecount 5", "auth-retry none", "password Auth x", "username Auth x",
          "net", "pid", "echo on"}) {
        auto answer = omp::answer_command(command, &t, "udp");
        BOOST_TEST(answer.text.starts_with("ERROR: "), command);
        BOOST_TEST(answer.text.find("read-only") != std::string::npos, command);
        BOOST_TEST(!answer.close, command);
    }
    BOOST_TEST(omp::answer_command("status 9", &t, "udp").text.starts_with("ERROR: "));
}

BOOST_AUTO_TEST_CASE(without_a_complete_poll_there_is_nothing_to_replay) {
    auto answer = omp::answer_command("status 3", nullptr, "tcp");
    BOOST_TEST(answer.text == "ERROR: OpenVPN tcp did not answer ovpn-mgmt-push's last poll\n");
    BOOST_TEST(omp::answer_command("help", nullptr, "tcp").text.ends_with("END\n"));
}

BOOST_AUTO_TEST_SUITE_END()

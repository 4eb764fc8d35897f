// Status parsing on real OpenVPN output of 2.3 to 2.7 (tests/data/status/PROVENANCE.md).
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "openvpn/status_parser.hpp"

using omp::ParsedStatus;
using omp::Session;

namespace {

// By `const char*`: a std::string argument would be a temporary that GCC 14's
// -Wdangling-reference takes the returned reference to point into.
const Session& find(const ParsedStatus& p, const char* username) {
    for (const auto& s : p.sessions) {
        if (s.username == username) return s;
    }
    BOOST_FAIL(std::string("no session for ") + username);
    throw std::logic_error("unreachable");
}

void check_alice_bob(const ParsedStatus& p) {
    const Session& bob = find(p, "bob-laptop");  // Username UNDEF: the common name names him
    BOOST_TEST(bob.common_name == "bob-laptop");
    BOOST_TEST(bob.real_ip == "198.51.100.23");
    BOOST_TEST(p.half_open == 1u);
    BOOST_TEST(p.malformed_rows == 0u);
    BOOST_TEST(!p.error);
}

// The columns every OpenVPN from 2.3 on prints, tab-separated (status 3).
const std::string kTabHeader =
    "HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tBytes Received\t"
    "Bytes Sent\tConnected Since (time_t)\tUsername\n";

// status 2 (commas) of a client that has an IPv6 pool address and no IPv4 one.
const std::string kIpv6OnlyClient =
    "HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,"
    "Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username\n"
    "CLIENT_LIST,v6only,192.0.2.1:5,,fd00::7,1,2,x,1700000000,UNDEF\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(status_parser)

BOOST_AUTO_TEST_CASE(parses_openvpn_2_3_status_2_without_ipv6_column) {
    auto p = omp::parse_status(read_test_data("status/openvpn-2.3-status2.txt"), "udp");
    BOOST_TEST(p.sessions.size() == 2u);
    BOOST_TEST(fields_of(find(p, "alice")) ==  // no IPv6 column, no client id
               "source=udp cn=alice user=alice real=192.0.2.10:49157 vip=10.8.0.6 vip6= "
               "rx=637356 tx=172249 since=1444221065 client_id=-");
    check_alice_bob(p);
}

BOOST_AUTO_TEST_CASE(parses_openvpn_2_4_status_3_with_bare_ipv6_real_address) {
    auto p = omp::parse_status(read_test_data("status/openvpn-2.4-status3.txt"));
    BOOST_TEST(p.sessions.size() == 3u);
    const Session& carol = find(p, "carol");
    BOOST_TEST(!carol.real_port);
    BOOST_TEST(carol.real_ip.find(':') != std::string::npos);  // IPv6, no port
    check_alice_bob(p);
}

BOOST_AUTO_TEST_CASE(parses_openvpn_2_5_status_3_with_cipher_column) {
    auto p = omp::parse_status(read_test_data("status/openvpn-2.5-status3.txt"));
    BOOST_TEST(p.sessions.size() == 3u);
    check_alice_bob(p);
}

BOOST_AUTO_TEST_CASE(parses_openvpn_2_6_status_3) {
    auto p = omp::parse_status(read_test_data("status/openvpn-2.6-status3.txt"));
    BOOST_TEST(p.sessions.size() == 3u);
    BOOST_TEST(fields_of(find(p, "alice")) ==
               "source= cn=alice user=alice real=192.0.2.10:52956 vip=10.8.0.6 vip6=fd00::1004 "
               "rx=4167 tx=6158 since=1769266048 client_id=1");
    const Session& carol = find(p, "carol");
    BOOST_TEST(carol.common_name == "carol-v6");
    BOOST_TEST(carol.real_ip == "2001:db8:10::25");
    BOOST_TEST(!carol.real_port);
    check_alice_bob(p);
}

BOOST_AUTO_TEST_CASE(status_2_and_status_3_of_the_same_server_parse_alike) {
    auto tabs = omp::parse_status(read_test_data("status/openvpn-2.6-status3.txt"));
    auto commas = omp::parse_status(read_test_data("status/openvpn-2.6-status2.txt"));
    BOOST_REQUIRE(tabs.sessions.size() == commas.sessions.size());
    for (std::size_t i = 0; i < tabs.sessions.size(); ++i) {
        BOOST_TEST(tabs.sessions[i].username == commas.sessions[i].username);
        BOOST_TEST(tabs.sessions[i].real_ip == commas.sessions[i].real_ip);
        BOOST_TEST(tabs.sessions[i].bytes_sent == commas.sessions[i].bytes_sent);
        BOOST_TEST(tabs.sessions[i].connected_at == commas.sessions[i].connected_at);
    }
}

BOOST_AUTO_TEST_CASE(parses_openvpn_2_7_protocol_prefixed_real_addresses) {
    auto p = omp::parse_status(read_test_data("status/openvpn-2.7-status3.txt"));
    BOOST_TEST(p.sessions.size() == 3u);
    BOOST_TEST(find(p, "alice").real_ip == "192.0.2.10");
    BOOST_TEST(*find(p, "alice").real_port == 52137);
    BOOST_TEST(find(p, "bob-laptop").real_ip == "198.51.100.23");
    BOOST_TEST(*find(p, "bob-laptop").real_port == 53188);
    BOOST_TEST(find(p, "carol").real_ip == "2001:db8:10::25");
    BOOST_TEST(*find(p, "carol").real_port == 40123);
    check_alice_bob(p);
}

BOOST_AUTO_TEST_CASE(columns_are_found_by_header_name_not_position) {
    auto p = omp::parse_status(
        "HEADER\tCLIENT_LIST\tUsername\tBytes Sent\tBytes Received\tConnected Since (time_t)\t"
        "Virtual Address\tReal Address\tCommon Name\n"
        "CLIENT_LIST\tdave\t20\t10\t1700000000\t10.8.0.9\t192.0.2.1:1000\tdave-cn\nEND\n");
    BOOST_REQUIRE(p.sessions.size() == 1u);
    BOOST_TEST(fields_of(p.sessions[0]) ==
               "source= cn=dave-cn user=dave real=192.0.2.1:1000 vip=10.8.0.9 vip6= rx=10 tx=20 "
               "since=1700000000 client_id=-");
}

BOOST_AUTO_TEST_CASE(ipv6_only_client_is_a_user) {
    auto p = omp::parse_status(kIpv6OnlyClient);
    BOOST_REQUIRE(p.sessions.size() == 1u);
    BOOST_TEST(p.sessions[0].virtual_ipv6 == "fd00::7");
    BOOST_TEST(p.half_open == 0u);
}

BOOST_AUTO_TEST_CASE(empty_username_falls_back_to_common_name) {
    auto p = omp::parse_status(kTabHeader +
                               "CLIENT_LIST\tcn-only\t192.0.2.1:5\t10.8.0.2\t1\t2\t1700000000\t\n");
    BOOST_REQUIRE(p.sessions.size() == 1u);
    BOOST_TEST(p.sessions[0].username == "cn-only");
}

BOOST_AUTO_TEST_CASE(malformed_rows_are_skipped_and_counted) {
    auto p =
        omp::parse_status(kTabHeader +
                          "CLIENT_LIST\tok\t192.0.2.1:5\t10.8.0.2\t1\t2\t1700000000\tok\n"
                          "CLIENT_LIST\ttoo-few\t192.0.2.1:5\n"
                          "CLIENT_LIST\tbad-bytes\t192.0.2.1:5\t10.8.0.3\tmany\t2\t1700000000\tx\n"
                          "CLIENT_LIST\tbad-time\t192.0.2.1:5\t10.8.0.4\t1\t2\tyesterday\tx\n"
                          "CLIENT_LIST\tbad-addr\tnot-an-ip:5\t10.8.0.5\t1\t2\t1700000000\tx\n"
                          "CLIENT_LIST\tneg\t192.0.2.1:5\t10.8.0.6\t-1\t2\t1700000000\tx\n");
    BOOST_TEST(p.sessions.size() == 1u);
    BOOST_TEST(p.malformed_rows == 5u);
    BOOST_TEST(*p.first_malformed == "CLIENT_LIST\ttoo-few\t192.0.2.1:5");
}

BOOST_AUTO_TEST_CASE(rows_without_a_header_are_an_error) {
    auto p = omp::parse_status("CLIENT_LIST\ta\t192.0.2.1:5\t10.8.0.2\t1\t2\t3\t4\t1\ta\nEND\n");
    BOOST_TEST(p.sessions.empty());
    BOOST_TEST(p.error.has_value());
}

BOOST_AUTO_TEST_CASE(a_header_missing_needed_columns_is_an_error) {
    auto p = omp::parse_status("HEADER\tCLIENT_LIST\tCommon Name\tReal Address\n");
    BOOST_TEST(p.error.has_value());
}

BOOST_AUTO_TEST_CASE(empty_status_has_no_sessions_and_no_error) {
    auto p = omp::parse_status(
        "TITLE\tOpenVPN 2.6.14\nHEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\t"
        "Bytes Received\tBytes Sent\tConnected Since (time_t)\nEND\n");
    BOOST_TEST(p.sessions.empty());
    BOOST_TEST(!p.error);
}

BOOST_AUTO_TEST_CASE(crlf_line_endings_are_accepted) {
    std::string lines =
        kTabHeader + "CLIENT_LIST\tx\t192.0.2.1:5\t10.8.0.2\t1\t2\t1700000000\tUNDEF\n";
    for (auto at = lines.find('\n'); at != std::string::npos; at = lines.find('\n', at + 2)) {
        lines.insert(at, "\r");
    }
    auto p = omp::parse_status(lines);
    BOOST_REQUIRE(p.sessions.size() == 1u);
    BOOST_TEST(p.sessions[0].connected_at == 1700000000);
    BOOST_TEST(p.sessions[0].username == "x");
}

BOOST_AUTO_TEST_SUITE_END()

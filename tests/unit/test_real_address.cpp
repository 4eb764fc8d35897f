#include <boost/test/unit_test.hpp>

#include "core/real_address.hpp"

BOOST_AUTO_TEST_SUITE(real_address)

BOOST_AUTO_TEST_CASE(an_ipv4_address_keeps_its_port) {
    auto a = omp::parse_real_address("1.2.3.4:5555");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "1.2.3.4");
    BOOST_TEST(*a->port == 5555);
}

BOOST_AUTO_TEST_CASE(bare_ipv6_has_no_port) {
    auto a = omp::parse_real_address("2001:db8::1");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "2001:db8::1");
    BOOST_TEST(!a->port);
}

BOOST_AUTO_TEST_CASE(bare_ipv6_starting_with_letters_is_not_a_protocol_prefix) {
    auto a = omp::parse_real_address("fe80::1");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "fe80::1");
}

BOOST_AUTO_TEST_CASE(openvpn_2_7s_udp4_prefix_is_dropped) {
    auto a = omp::parse_real_address("udp4:1.2.3.4:5555");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "1.2.3.4");
    BOOST_TEST(*a->port == 5555);
}

BOOST_AUTO_TEST_CASE(openvpn_2_7s_tcp4_server_prefix_is_dropped) {
    auto a = omp::parse_real_address("tcp4-server:1.2.3.4:5555");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "1.2.3.4");
}

BOOST_AUTO_TEST_CASE(openvpn_2_7_bracketed_ipv6_with_port) {
    auto a = omp::parse_real_address("udp6:[2001:db8::1]:5555");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "2001:db8::1");
    BOOST_TEST(*a->port == 5555);
}

BOOST_AUTO_TEST_CASE(openvpn_2_7_ipv4_on_a_dual_stack_socket) {
    auto a = omp::parse_real_address("udp6:192.0.2.10:40000");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "192.0.2.10");
}

BOOST_AUTO_TEST_CASE(ipv4_mapped_ipv6_becomes_ipv4) {
    auto a = omp::parse_real_address("[::ffff:192.0.2.1]:7");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "192.0.2.1");
}

BOOST_AUTO_TEST_CASE(ipv6_is_canonicalised) {
    auto a = omp::parse_real_address("2001:DB8:0:0::1");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->ip == "2001:db8::1");
}

BOOST_AUTO_TEST_CASE(an_address_without_a_valid_ip_or_port_is_no_address) {
    for (const char* bad : {"", "hello", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3:4",
                            "[2001:db8::1", "[2001:db8::1]x", "udp4:", "999.1.1.1:5"}) {
        BOOST_TEST(!omp::parse_real_address(bad), bad);
    }
}

BOOST_AUTO_TEST_SUITE_END()

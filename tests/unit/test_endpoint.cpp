#include <netinet/in.h>

#include <boost/test/unit_test.hpp>

#include "openvpn/endpoint.hpp"

namespace {

// The address family `text` names; fails the test when it does not parse.
int family_of(const char* text) {
    auto ep = omp::parse_endpoint(text);
    BOOST_REQUIRE_MESSAGE(ep.ok(), text);
    return ep->sockaddr.ss_family;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(endpoint)

BOOST_AUTO_TEST_CASE(parses_ipv4_host_and_port) {
    auto ep = omp::parse_endpoint("udp=127.0.0.1:7505");
    BOOST_REQUIRE(ep.ok());
    BOOST_TEST(ep->name == "udp");
    BOOST_TEST(ep->sockaddr.ss_family == AF_INET);
    BOOST_TEST(ntohs(reinterpret_cast<sockaddr_in&>(ep->sockaddr).sin_port) == 7505);
}

BOOST_AUTO_TEST_CASE(a_bracketed_ipv6_address_is_an_ipv6_endpoint) {
    BOOST_TEST(family_of("tcp=[::1]:7506") == AF_INET6);
}

BOOST_AUTO_TEST_CASE(unix_and_a_path_is_a_unix_socket_endpoint) {
    BOOST_TEST(family_of("udp=unix:/run/openvpn/udp.sock") == AF_UNIX);
}

BOOST_AUTO_TEST_CASE(bad_port_is_named_in_the_error) {
    auto ep = omp::parse_endpoint("udp=127.0.0.1:75o5");
    BOOST_REQUIRE(!ep.ok());
    BOOST_TEST(ep.error().message.find("`udp=127.0.0.1:75o5'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_malformed_addresses) {
    for (const char* bad : {"udp", "=127.0.0.1:1", "udp=127.0.0.1", "udp=127.0.0.1:0",
                            "udp=127.0.0.1:65536", "udp=vpn.example.com:7505", "udp=unix:relative",
                            "udp=[::1]7505", "bad name=127.0.0.1:1"}) {
        BOOST_TEST(!omp::parse_endpoint(bad).ok(), bad);
    }
}

BOOST_AUTO_TEST_CASE(localhost_is_loopback_without_dns) {
    BOOST_TEST(family_of("udp=localhost:7505") == AF_INET);
}

BOOST_AUTO_TEST_CASE(list_parses_comma_separated_names) {
    auto list = omp::parse_endpoint_list("udp=127.0.0.1:7505, tcp=127.0.0.1:7506");
    BOOST_REQUIRE(list.ok());
    BOOST_TEST(list->size() == 2u);
    BOOST_TEST((*list)[1].name == "tcp");
}

BOOST_AUTO_TEST_CASE(duplicate_names_are_rejected) {
    auto list = omp::parse_endpoint_list("udp=127.0.0.1:7505,udp=127.0.0.1:7506");
    BOOST_REQUIRE(!list.ok());
    BOOST_TEST(list.error().message.find("`udp'") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

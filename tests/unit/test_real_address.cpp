#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <ostream>

#include "core/real_address.hpp"

namespace {

// One real address as OpenVPN 2.3 to 2.7 print it, and what it is read as.
struct Reading {
    const char* what;
    const char* printed;
    const char* read_as;  // "IP port N", "IP without a port"
};
std::ostream& operator<<(std::ostream& out, const Reading& r) {
    return out << r.what;
}

const Reading kReadings[] = {
    {"an IPv4 address keeps its port", "1.2.3.4:5555", "1.2.3.4 port 5555"},
    {"a bare IPv6 address has no port", "2001:db8::1", "2001:db8::1 without a port"},
    {"bare IPv6 starting with letters is no protocol prefix", "fe80::1", "fe80::1 without a port"},
    {"OpenVPN 2.7's udp4: prefix is dropped", "udp4:1.2.3.4:5555", "1.2.3.4 port 5555"},
    {"OpenVPN 2.7's tcp4-server: prefix is dropped", "tcp4-server:1.2.3.4:5555",
     "1.2.3.4 port 5555"},
    {"OpenVPN 2.7's bracketed IPv6 with its port", "udp6:[2001:db8::1]:5555",
     "2001:db8::1 port 5555"},
    {"OpenVPN 2.7's IPv4 on a dual-stack socket", "udp6:192.0.2.10:40000", "192.0.2.10 port 40000"},
    {"IPv4-mapped IPv6 becomes IPv4", "[::ffff:192.0.2.1]:7", "192.0.2.1 port 7"},
    {"IPv6 is canonicalised", "2001:DB8:0:0::1", "2001:db8::1 without a port"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(real_address)

BOOST_DATA_TEST_CASE(each_way_openvpn_prints_an_address_is_read,
                     boost::unit_test::data::make(kReadings), reading) {
    auto a = omp::parse_real_address(reading.printed);
    BOOST_REQUIRE(a);
    std::string read_as =
        a->ip + (a->port ? " port " + std::to_string(*a->port) : " without a port");
    BOOST_TEST(read_as == reading.read_as);
}

BOOST_AUTO_TEST_CASE(an_address_without_a_valid_ip_or_port_is_no_address) {
    for (const char* bad : {"", "hello", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3:4",
                            "[2001:db8::1", "[2001:db8::1]x", "udp4:", "999.1.1.1:5"}) {
        BOOST_TEST(!omp::parse_real_address(bad), bad);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// `wg show IFACE dump` output, as wireguard-tools prints it (tests/data/wg/PROVENANCE.md).
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "wireguard/wg_dump.hpp"

namespace {

std::string fixture() {
    return read_test_data("wg/wireguard-go-0.0.20220316.dump");
}

const std::string kInterface =
    "eMXc1DR66kIeVG26T8NCj2NC1XT0b+2dUOkWCZHcO1Q=\t4NNkX4hb1hseGBp01jWTGx0t5QmO8KwpoAvLl1Pt9EQ="
    "\t51820\toff\n";
const std::string kKey = "ogMMPiPr2UlmixhMYPpV56qdfeAJY57ajcGWfX3LBVc=";

}  // namespace

BOOST_AUTO_TEST_SUITE(wg_dump)

BOOST_AUTO_TEST_CASE(every_peer_of_a_real_dump_is_read) {
    auto dump = omp::parse_wg_dump(fixture());
    BOOST_TEST(!dump.error);
    BOOST_TEST(dump.malformed_rows == 0u);
    BOOST_REQUIRE(dump.peers.size() == 3u);
    const auto& p = dump.peers[0];
    BOOST_TEST(p.public_key == kKey);
    BOOST_REQUIRE(p.endpoint);
    BOOST_TEST(p.endpoint->ip == "10.99.0.2");
    BOOST_TEST(*p.endpoint->port == 36647);
    BOOST_TEST(p.allowed_ips == std::vector<std::string>{"10.100.0.2/32"});
    BOOST_TEST(p.latest_handshake == 1795656863);
    BOOST_TEST(p.transfer_rx == 260u);
    BOOST_TEST(p.transfer_tx == 124u);
}

BOOST_AUTO_TEST_CASE(an_ipv6_endpoint_and_several_allowed_ips_are_read) {
    auto dump = omp::parse_wg_dump(fixture());
    BOOST_REQUIRE(dump.peers.size() == 3u);
    const auto& p = dump.peers[1];
    BOOST_REQUIRE(p.endpoint);
    BOOST_TEST(p.endpoint->ip == "2001:db8::7");
    BOOST_TEST(*p.endpoint->port == 51999);
    BOOST_TEST(p.allowed_ips == (std::vector<std::string>{"10.100.0.3/32", "fd00::3/128"}));
    BOOST_TEST(p.latest_handshake == 0);
}

BOOST_AUTO_TEST_CASE(a_peer_without_endpoint_has_none) {
    auto dump = omp::parse_wg_dump(fixture());
    BOOST_REQUIRE(dump.peers.size() == 3u);
    BOOST_TEST(!dump.peers[2].endpoint);
}

BOOST_AUTO_TEST_CASE(an_interface_without_peers_has_no_peers) {
    auto dump = omp::parse_wg_dump(kInterface);
    BOOST_TEST(!dump.error);
    BOOST_TEST(dump.peers.empty());
}

BOOST_AUTO_TEST_CASE(a_line_with_the_wrong_field_count_is_skipped_and_counted_without_quoting_it) {
    std::string secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";
    auto dump = omp::parse_wg_dump(kInterface + kKey + "\t" + secret + "\t(none)\n" + kKey +
                                   "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n");
    BOOST_TEST(dump.malformed_rows == 1u);
    BOOST_TEST(dump.peers.size() == 1u);
    BOOST_REQUIRE(dump.first_malformed);
    BOOST_TEST(dump.first_malformed->find("line 2") != std::string::npos);
    BOOST_TEST(dump.first_malformed->find(secret) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_counters_and_bad_keys_are_malformed) {
    auto dump =
        omp::parse_wg_dump(kInterface + kKey + "\t(none)\t(none)\t(none)\t0\tlots\t0\toff\n" +
                           "not-a-key\t(none)\t(none)\t(none)\t0\t0\t0\toff\n" + kKey +
                           "\t(none)\tnowhere:1\t(none)\t0\t0\t0\toff\n");
    BOOST_TEST(dump.malformed_rows == 3u);
    BOOST_TEST(dump.peers.empty());
}

BOOST_AUTO_TEST_CASE(output_that_is_not_a_dump_is_an_error) {
    BOOST_TEST(
        omp::parse_wg_dump("Unable to access interface: No such device\n").error.has_value());
    BOOST_TEST(omp::parse_wg_dump("").error.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

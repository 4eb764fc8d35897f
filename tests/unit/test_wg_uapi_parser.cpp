// A real UAPI `get=1` answer from wireguard-go, and `wg show dump` of the same moment
// (tests/data/wg/PROVENANCE.md): the two ways of reading an interface agree.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "wireguard/wg_dump.hpp"
#include "wireguard/wg_uapi_parser.hpp"

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(OMP_TEST_DATA) + "/wg/" + name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

const std::string kPeer =
    "public_key=7b5efe8a6dfc5e01b28804f560b2bd81d4d2f4eb3c33bfe45ededffe7ac04177\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(wg_uapi_parser)

BOOST_AUTO_TEST_CASE(a_real_answer_gives_the_peers_wg_prints_for_the_same_moment) {
    auto uapi = omp::parse_wg_uapi(fixture("wireguard-go-0.0.20220316.uapi"));
    auto dump = omp::parse_wg_dump(fixture("wireguard-go-0.0.20220316-same-moment.dump"));
    BOOST_TEST(!uapi.error);
    BOOST_TEST(uapi.malformed_rows == 0u);
    BOOST_REQUIRE(uapi.peers.size() == 2u);
    BOOST_REQUIRE(dump.peers.size() == 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto &a = uapi.peers[i], &b = dump.peers[i];
        BOOST_TEST(a.public_key == b.public_key);
        BOOST_TEST(a.endpoint->ip == b.endpoint->ip);
        BOOST_TEST(*a.endpoint->port == *b.endpoint->port);
        BOOST_TEST(a.allowed_ips == b.allowed_ips);
        BOOST_TEST(a.latest_handshake == b.latest_handshake);
        BOOST_TEST(a.transfer_rx == b.transfer_rx);
        BOOST_TEST(a.transfer_tx == b.transfer_tx);
    }
    BOOST_TEST(uapi.peers[0].public_key == "e17+im38XgGyiAT1YLK9gdTS9Os8M7/kXt7f/nrAQXc=");
}

BOOST_AUTO_TEST_CASE(an_answer_is_complete_only_after_the_errno_line_and_an_empty_line) {
    BOOST_TEST(!omp::wg_uapi_answer_complete(""));
    BOOST_TEST(!omp::wg_uapi_answer_complete(kPeer));
    BOOST_TEST(!omp::wg_uapi_answer_complete(kPeer + "errno=0\n"));
    BOOST_TEST(!omp::wg_uapi_answer_complete("listen_port=1\n\n"));
    BOOST_TEST(omp::wg_uapi_answer_complete(kPeer + "errno=0\n\n"));
    BOOST_TEST(omp::wg_uapi_answer_complete("errno=0\n\n"));
}

BOOST_AUTO_TEST_CASE(a_failed_get_is_an_error_naming_the_errno) {
    auto dump = omp::parse_wg_uapi("errno=19\n\n");
    BOOST_REQUIRE(dump.error);
    BOOST_TEST(dump.error->find("errno 19") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_answer_without_errno_is_an_error) {
    BOOST_TEST(omp::parse_wg_uapi(kPeer).error.has_value());
}

BOOST_AUTO_TEST_CASE(a_peer_with_a_bad_value_is_skipped_and_counted_without_quoting_keys) {
    std::string secret =
        "preshared_key=1111111111111111111111111111111111111111111111111111111111111111\n";
    auto dump = omp::parse_wg_uapi(
        "private_key=2222222222222222222222222222222222222222222222222222222222222222\n" + kPeer +
        secret + "rx_bytes=lots\n" + kPeer + "rx_bytes=5\nerrno=0\n\n");
    BOOST_TEST(dump.malformed_rows == 1u);
    BOOST_REQUIRE(dump.peers.size() == 1u);
    BOOST_TEST(dump.peers[0].transfer_rx == 5u);
    BOOST_REQUIRE(dump.first_malformed);
    BOOST_TEST(dump.first_malformed->find("rx_bytes") != std::string::npos);
    BOOST_TEST(dump.first_malformed->find("1111") == std::string::npos);
    BOOST_TEST(dump.first_malformed->find("2222") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(keys_it_does_not_know_are_skipped) {
    auto dump =
        omp::parse_wg_uapi(kPeer + "some_future_key=7\nlast_handshake_time_sec=9\nerrno=0\n\n");
    BOOST_REQUIRE(dump.peers.size() == 1u);
    BOOST_TEST(dump.peers[0].latest_handshake == 9);
}

BOOST_AUTO_TEST_SUITE_END()

// WireGuard peers as sessions, and the runs of handshakes that give connected_at.
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "wireguard/wg_handshake_runs.hpp"
#include "wireguard/wg_sessions.hpp"

using namespace std::chrono_literals;

namespace {

const std::string kAlice = "ogMMPiPr2UlmixhMYPpV56qdfeAJY57ajcGWfX3LBVc=";
const std::string kBob = "zC4iGqJ/NYDXeAHGvi0ky6ZWb9K9kKsVXy7zPjB1ejo=";
constexpr std::int64_t kNow = 1800000000;

omp::WgPeer peer(const std::string& key, std::int64_t handshake,
                 std::vector<std::string> allowed = {"10.0.0.2/32"}) {
    omp::WgPeer p;
    p.public_key = key;
    p.endpoint = omp::RealAddress{"198.51.100.7", 51820};
    p.allowed_ips = std::move(allowed);
    p.latest_handshake = handshake;
    p.transfer_rx = 1000;
    p.transfer_tx = 2000;
    return p;
}

omp::ParsedStatus sessions_of(std::vector<omp::WgPeer> peers, const omp::PeerNames& names = {}) {
    omp::WgDump dump;
    dump.peers = std::move(peers);
    return omp::wg_sessions(std::move(dump), "wg", names, kNow, 180s);
}

std::vector<omp::SourceReport> report(std::vector<omp::Session> sessions, bool ok = true) {
    std::vector<omp::SourceReport> r(1);
    r[0].name = "wg";
    r[0].kind = "wireguard";
    r[0].ok = ok;
    r[0].status.sessions = std::move(sessions);
    return r;
}

omp::Session session(const std::string& key, std::int64_t latest_handshake) {
    omp::Session s;
    s.source = "wg";
    s.common_name = key;
    s.username = key;
    s.connected_at = latest_handshake;
    return s;
}

// The connected_at of the last poll's first session, after one HandshakeRuns saw every poll.
std::int64_t connected_at_after(std::vector<std::vector<omp::SourceReport>> polls) {
    omp::HandshakeRuns runs;
    for (auto& poll : polls) runs.update(poll);
    return polls.back()[0].status.sessions[0].connected_at;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wg_sessions)

BOOST_AUTO_TEST_CASE(a_peer_with_a_recent_handshake_is_a_session_with_every_field) {
    auto status = sessions_of({peer(kAlice, kNow - 30, {"10.0.0.2/32", "fd00::2/128"})});
    BOOST_REQUIRE(status.sessions.size() == 1u);
    BOOST_TEST(fields_of(status.sessions[0]) ==  // no name known: the public key names it
               "source=wg cn=" + kAlice + " user=" + kAlice +
                   " real=198.51.100.7:51820 "
                   "vip=10.0.0.2 vip6=fd00::2 rx=1000 tx=2000 since=" +
                   std::to_string(kNow - 30) + " client_id=-");
}

BOOST_AUTO_TEST_CASE(a_named_peer_gets_its_name_as_username) {
    omp::PeerNames names;
    names.set(kAlice, "alice");
    auto status = sessions_of({peer(kAlice, kNow - 30)}, names);
    BOOST_REQUIRE(status.sessions.size() == 1u);
    BOOST_TEST(status.sessions[0].username == "alice");
    BOOST_TEST(status.sessions[0].common_name == kAlice);
}

BOOST_AUTO_TEST_CASE(virtual_ip_is_the_first_allowed_ip_whatever_its_family) {
    auto status = sessions_of({peer(kAlice, kNow - 1, {"fd00::4/128", "10.0.0.4/32"})});
    BOOST_REQUIRE(status.sessions.size() == 1u);
    BOOST_TEST(status.sessions[0].virtual_ip == "fd00::4");
    BOOST_TEST(status.sessions[0].virtual_ipv6 == "fd00::4");
}

BOOST_AUTO_TEST_CASE(a_peer_that_never_shook_hands_is_not_connected) {
    BOOST_TEST(sessions_of({peer(kAlice, 0)}).sessions.empty());
}

BOOST_AUTO_TEST_CASE(a_peer_is_connected_up_to_the_threshold_and_not_after) {
    BOOST_TEST(sessions_of({peer(kAlice, kNow - 180)}).sessions.size() == 1u);
    BOOST_TEST(sessions_of({peer(kAlice, kNow - 181)}).sessions.empty());
}

BOOST_AUTO_TEST_CASE(a_handshake_in_the_future_counts_as_fresh) {
    BOOST_TEST(sessions_of({peer(kAlice, kNow + 5)}).sessions.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_run_keeps_its_first_handshake_while_the_peer_stays_connected) {
    auto connected_at = connected_at_after(
        {report({session(kAlice, kNow)}), report({session(kAlice, kNow + 120)})});  // re-keyed
    BOOST_TEST(connected_at == kNow);
}

BOOST_AUTO_TEST_CASE(a_peer_that_dropped_out_starts_a_new_run) {
    auto connected_at = connected_at_after(
        {report({session(kAlice, kNow)}), report({}), report({session(kAlice, kNow + 600)})});
    BOOST_TEST(connected_at == kNow + 600);
}

BOOST_AUTO_TEST_CASE(a_failed_poll_keeps_the_runs) {
    auto connected_at = connected_at_after({report({session(kAlice, kNow)}), report({}, false),
                                            report({session(kAlice, kNow + 120)})});
    BOOST_TEST(connected_at == kNow);
}

BOOST_AUTO_TEST_CASE(peers_are_tracked_apart) {
    omp::HandshakeRuns runs;
    auto first = report({session(kAlice, kNow)});
    runs.update(first);
    auto both = report({session(kAlice, kNow + 120), session(kBob, kNow + 100)});
    runs.update(both);
    BOOST_TEST(both[0].status.sessions[0].connected_at == kNow);
    BOOST_TEST(both[0].status.sessions[1].connected_at == kNow + 100);
    BOOST_TEST(runs.tracked() == 2u);
}

BOOST_AUTO_TEST_CASE(openvpn_sessions_are_left_alone) {
    omp::HandshakeRuns runs;
    auto r = report({session(kAlice, kNow)});
    r[0].kind = "openvpn";
    runs.update(r);
    BOOST_TEST(runs.tracked() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

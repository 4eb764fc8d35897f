// Peer names from a peer map or from a WireGuard config's `# Name =` comments.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "fixtures.hpp"
#include "wireguard/wg_peer_names.hpp"

namespace {

const std::string kAlice = "ogMMPiPr2UlmixhMYPpV56qdfeAJY57ajcGWfX3LBVc=";
const std::string kBob = "zC4iGqJ/NYDXeAHGvi0ky6ZWb9K9kKsVXy7zPjB1ejo=";
const std::string kCarol = "i3hT1PohloY9rv9o7k2OtS+3praYD8UKGcvJ0ro+V3o=";

omp::PeerNames parsed(const std::string& text) {
    omp::PeerNames names;
    auto status = omp::parse_peer_names(text, "peers.txt", names);
    BOOST_REQUIRE_MESSAGE(status.ok(), (status.ok() ? "" : status.error().message));
    return names;
}

std::string name(const omp::PeerNames& names, const std::string& key) {
    const std::string* n = names.name_of(key);
    return n ? *n : "(none)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wg_peer_names)

BOOST_AUTO_TEST_CASE(a_peer_map_gives_key_white_space_name) {
    auto names = parsed("# office\n" + kAlice + " alice\n\n" + kBob + "\t\tbob the builder  \n");
    BOOST_TEST(name(names, kAlice) == "alice");
    BOOST_TEST(name(names, kBob) == "bob the builder");
    BOOST_TEST(name(names, kCarol) == "(none)");
}

BOOST_AUTO_TEST_CASE(a_bad_map_line_is_an_error_naming_file_and_line) {
    omp::PeerNames names;
    auto status = omp::parse_peer_names(kAlice + " alice\nnot-a-key carol\n", "peers.txt", names);
    BOOST_REQUIRE(!status.ok());
    BOOST_TEST(status.error().message.find("peers.txt:2") != std::string::npos);
    BOOST_TEST(!omp::parse_peer_names(kAlice + "\n", "peers.txt", names).ok());  // no name
}

BOOST_AUTO_TEST_CASE(a_name_comment_above_a_peer_section_names_that_peer) {
    auto names = parsed(
        "[Interface]\nPrivateKey = eMXc1DR66kIeVG26T8NCj2NC1XT0b+2dUOkWCZHcO1Q=\n"
        "ListenPort = 51820\n\n# Name = alice\n[Peer]\nPublicKey = " +
        kAlice + "\nAllowedIPs = 10.0.0.2/32\n\n# Name = bob\n[Peer]\nPublicKey = " + kBob +
        "\nAllowedIPs = 10.0.0.3/32\n");
    BOOST_TEST(name(names, kAlice) == "alice");
    BOOST_TEST(name(names, kBob) == "bob");
}

BOOST_AUTO_TEST_CASE(a_name_comment_inside_a_peer_section_names_that_peer) {
    auto names = parsed("[Peer]\n# Name = carol\nPublicKey = " + kCarol +
                        "\n[Peer]\nPublicKey = " + kBob + "\n#name: bob\n");
    BOOST_TEST(name(names, kCarol) == "carol");
    BOOST_TEST(name(names, kBob) == "bob");
}

BOOST_AUTO_TEST_CASE(a_peer_without_a_name_comment_has_no_name) {
    auto names = parsed("[Peer]\nPublicKey = " + kAlice + "\n# just a note\n");
    BOOST_TEST(name(names, kAlice) == "(none)");
}

BOOST_AUTO_TEST_CASE(a_config_error_names_the_line_but_never_quotes_it) {
    omp::PeerNames names;
    auto status = omp::parse_peer_names("[Peer]\nPresharedKey = secret\nPublicKey = secret-too\n",
                                        "wg0.conf", names);
    BOOST_REQUIRE(!status.ok());
    BOOST_TEST(status.error().message.find("wg0.conf:3") != std::string::npos);
    BOOST_TEST(status.error().message.find("secret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(later_files_win_for_the_same_key) {
    TempFile first(kAlice + " alice\n" + kBob + " bob\n"),
        second("[Peer]\n# Name = alice2\nPublicKey = " + kAlice + "\n");
    auto names = omp::load_peer_names({first.path, second.path});
    BOOST_REQUIRE(names.ok());
    BOOST_TEST(name(*names, kAlice) == "alice2");
    BOOST_TEST(name(*names, kBob) == "bob");
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_an_error_naming_it) {
    auto names = omp::load_peer_names({"/nonexistent/peers"});
    BOOST_REQUIRE(!names.ok());
    BOOST_TEST(names.error().message.find("/nonexistent/peers") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_changed_file_is_read_again) {
    TempFile file(kAlice + " alice\n");
    omp::PeerNameFiles files({file.path}, *omp::load_peer_names({file.path}));
    BOOST_TEST(name(*files.names(), kBob) == "(none)");
    file.write(kAlice + " alice\n" + kBob + " bob\n");
    BOOST_TEST(files.refresh().ok());
    BOOST_TEST(name(*files.names(), kBob) == "bob");
}

BOOST_AUTO_TEST_CASE(a_file_that_turns_bad_keeps_the_names_read_before_and_says_so_once) {
    TempFile file(kAlice + " alice\n");
    omp::PeerNameFiles files({file.path}, *omp::load_peer_names({file.path}));
    file.write("garbage line\n");
    BOOST_TEST(!files.refresh().ok());
    BOOST_TEST(name(*files.names(), kAlice) == "alice");
    BOOST_TEST(files.refresh().ok());  // unchanged since: not said again
}

BOOST_AUTO_TEST_SUITE_END()

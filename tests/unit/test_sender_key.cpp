#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "event/sender_key.hpp"
#include "fixtures.hpp"

namespace {

std::string key_at(const std::string& path) {
    auto key = omp::event::load_or_create_sender_key(path);
    if (!key) BOOST_FAIL(key.error().message);
    return *key;
}

std::string refusal(const std::string& path) {
    auto key = omp::event::load_or_create_sender_key(path);
    BOOST_REQUIRE(!key.ok());
    return key.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sender_key)

BOOST_AUTO_TEST_CASE(the_first_reader_makes_a_random_root_only_key_and_every_later_one_reads_it) {
    TempDir dir;
    auto path = dir.str() + "/run/events.sock.key";  // its directory is made too
    auto key = key_at(path);
    BOOST_TEST(key.size() == omp::event::kSenderKeyLength);
    BOOST_TEST(key.find_first_not_of("0123456789abcdef") == std::string::npos);
    struct stat st {};
    BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_TEST(key_at(path) == key);
    TempDir other;
    BOOST_TEST(key_at(other.str() + "/k") != key);
}

BOOST_AUTO_TEST_CASE(a_key_file_others_can_read_is_refused_by_name) {
    TempDir dir;
    auto path = dir.str() + "/k";
    std::ofstream(path) << std::string(64, 'a') << "\n";
    chmod(path.c_str(), 0640);
    BOOST_TEST(refusal(path) == "sender key `" + path + "' is readable by others");
}

BOOST_AUTO_TEST_CASE(a_file_that_holds_no_key_is_refused_by_name) {
    TempDir dir;
    auto path = dir.str() + "/k";
    std::ofstream(path) << "not a key\n";
    chmod(path.c_str(), 0600);
    BOOST_TEST(refusal(path) == "sender key `" + path + "' does not hold a key");
    BOOST_TEST(refusal(dir.str()).find("is not a regular file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_socket_names_its_key) {
    BOOST_TEST(omp::event::sender_key_path("/run/ovpn-mgmt-push/events.sock") ==
               "/run/ovpn-mgmt-push/events.sock.key");
}

BOOST_AUTO_TEST_CASE(keys_compare_equal_only_when_the_same) {
    BOOST_TEST(omp::event::same_key("abc", "abc"));
    BOOST_TEST(!omp::event::same_key("abc", "abd"));
    BOOST_TEST(!omp::event::same_key("abc", "ab"));
    BOOST_TEST(!omp::event::same_key("", "abc"));
}

BOOST_AUTO_TEST_SUITE_END()

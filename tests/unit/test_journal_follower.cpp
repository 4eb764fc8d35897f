// The unit names `--ovpn-log NAME=journal:UNIT` accepts. Reading a real journal is in
// tests/e2e/test_reasons_journal.py (a real journald of the test's own).
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "records/journal_follower.hpp"

BOOST_AUTO_TEST_SUITE(journal_follower)

BOOST_AUTO_TEST_CASE(a_unit_without_a_type_is_a_service_as_with_journalctl) {
    BOOST_TEST(*omp::journal_unit_name("openvpn-server@udp") == "openvpn-server@udp.service");
    BOOST_TEST(*omp::journal_unit_name("openvpn@server.service") == "openvpn@server.service");
}

BOOST_AUTO_TEST_CASE(a_name_outside_the_unit_alphabet_is_an_error_quoting_it) {
    auto bad = omp::journal_unit_name("openvpn server");
    BOOST_REQUIRE(!bad.ok());
    BOOST_TEST(bad.error().message.find("`openvpn server'") != std::string::npos);
    BOOST_TEST(!omp::journal_unit_name("").ok());
    BOOST_TEST(!omp::journal_unit_name("a/b").ok());
}

BOOST_AUTO_TEST_CASE(a_journal_without_entries_for_the_unit_gives_no_lines) {
    auto follower = omp::JournalFollower::open("omp-no-such-unit-" + std::to_string(::getpid()));
    BOOST_REQUIRE(follower.ok());
    int lines = 0;
    follower->read_new_lines([&](std::string_view) { ++lines; });
    BOOST_TEST(lines == 0);
}

BOOST_AUTO_TEST_SUITE_END()

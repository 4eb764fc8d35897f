// One message is one log line, whatever it quotes.
#include <boost/test/unit_test.hpp>

#include "base/log.hpp"

namespace {

std::string escaped(std::string_view message) {
    std::string line;
    omp::log::append_escaped(line, message);
    return line;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(log_lines)

BOOST_AUTO_TEST_CASE(a_newline_in_a_message_cannot_start_a_forged_journal_entry) {
    // journald reads "<N>" at the start of a line as its priority.
    BOOST_TEST(escaped("client alice\n<0>panic: forged") == "client alice\\x0a<0>panic: forged");
}

BOOST_AUTO_TEST_CASE(every_control_character_is_written_as_its_hex_code) {
    BOOST_TEST(escaped(std::string("a\rb\tc\x1b[31m\x7f", 11)) == "a\\x0db\\x09c\\x1b[31m\\x7f");
}

BOOST_AUTO_TEST_CASE(printable_text_and_utf8_pass_unchanged) {
    BOOST_TEST(escaped("source udp: 127.0.0.1:7505: connect: Connection refused (Jürgen)") ==
               "source udp: 127.0.0.1:7505: connect: Connection refused (Jürgen)");
}

BOOST_AUTO_TEST_SUITE_END()

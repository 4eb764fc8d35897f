#include <boost/test/unit_test.hpp>

#include "base/config_file.hpp"

BOOST_AUTO_TEST_SUITE(config_file)

BOOST_AUTO_TEST_CASE(reads_key_values_comments_quotes_and_export) {
    auto kv = omp::parse_config_text(
        "# comment\n; also comment\n\nPANEL_URL=https://panel.example\n"
        "export SERVER_ID=\"7\"\nPANEL_TOKEN='a b'\n  PUSH_INTERVAL = 3  \r\n",
        "f");
    BOOST_REQUIRE(kv.ok());
    BOOST_TEST(kv->at("PANEL_URL") == "https://panel.example");
    BOOST_TEST(kv->at("SERVER_ID") == "7");
    BOOST_TEST(kv->at("PANEL_TOKEN") == "a b");
    BOOST_TEST(kv->at("PUSH_INTERVAL") == "3");
}

BOOST_AUTO_TEST_CASE(a_line_without_equals_is_an_error_naming_file_and_line) {
    auto kv = omp::parse_config_text("A=1\nnonsense here\n", "/etc/default/x");
    BOOST_REQUIRE(!kv.ok());
    BOOST_TEST(kv.error().message.find("/etc/default/x:2") != std::string::npos);
    BOOST_TEST(kv.error().message.find("nonsense here") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unterminated_quote_is_an_error) {
    BOOST_TEST(!omp::parse_config_text("A=\"open\n", "f").ok());
}

BOOST_AUTO_TEST_CASE(a_config_error_names_the_line_and_key_but_never_quotes_the_value) {
    auto kv = omp::parse_config_text("SERVER_ID=7\nPANEL_TOKEN=\"s3cr3t-t0ken\n",
                                     "/etc/default/ovpn-mgmt-push");
    BOOST_REQUIRE(!kv.ok());
    BOOST_TEST(kv.error().message ==
               "/etc/default/ovpn-mgmt-push:2: unterminated quote in the value of PANEL_TOKEN");
    BOOST_TEST(kv.error().message.find("s3cr3t") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_variable_name_is_an_error) {
    BOOST_TEST(!omp::parse_config_text("1A=x\n", "f").ok());
    BOOST_TEST(!omp::parse_config_text("A-B=x\n", "f").ok());
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_an_error_naming_it) {
    auto kv = omp::read_config_file("/nonexistent/omp.conf");
    BOOST_REQUIRE(!kv.ok());
    BOOST_TEST(kv.error().message.find("/nonexistent/omp.conf") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// The panel URL as the commands that POST see it, through the libcurl they load at run time.
// (POSTs themselves are shown end to end against a real HTTP server: tests/e2e.)
#include <boost/test/unit_test.hpp>

#include "panel/curl_library.hpp"
#include "panel/http_sender.hpp"

namespace {

const omp::CurlLibrary& curl() {
    static const omp::CurlLibrary library = [] {
        auto loaded = omp::CurlLibrary::load();
        BOOST_REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? std::string() : loaded.error().message));
        return *loaded;
    }();
    return library;
}

bool mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_installed_libcurl_loads_with_every_function) {
    auto loaded = omp::CurlLibrary::load();
    BOOST_REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? std::string() : loaded.error().message));
    BOOST_TEST(loaded->version_info(CURLVERSION_NOW)->version_num >=
               omp::CurlLibrary::kOldestVersion);
}

BOOST_AUTO_TEST_CASE(a_missing_library_is_an_error_naming_it) {
    auto loaded = omp::CurlLibrary::load("libcurl-not-here.so.4");
    BOOST_REQUIRE(!loaded.ok());
    BOOST_TEST(mentions(loaded.error().message, "libcurl-not-here.so.4"));
}

BOOST_AUTO_TEST_CASE(a_library_without_curl_functions_is_an_error_naming_the_first_missing) {
    auto loaded = omp::CurlLibrary::load("libm.so.6");
    BOOST_REQUIRE(!loaded.ok());
    BOOST_TEST(mentions(loaded.error().message, "lacks curl_global_init"));
}

BOOST_AUTO_TEST_CASE(http_and_https_urls_are_accepted) {
    BOOST_TEST(omp::validate_panel_url(curl(), "http://127.0.0.1:8080/api/servers/1/events").ok());
    BOOST_TEST(omp::validate_panel_url(curl(), "https://panel.example/api/servers/12/events").ok());
}

BOOST_AUTO_TEST_CASE(other_schemes_are_refused_naming_the_url) {
    auto checked = omp::validate_panel_url(curl(), "ftp://panel/x");
    BOOST_REQUIRE(!checked.ok());
    BOOST_TEST(mentions(checked.error().message, "`ftp://panel/x'"));
    BOOST_TEST(mentions(checked.error().message, "http or https"));
}

BOOST_AUTO_TEST_CASE(text_that_is_no_url_is_refused_naming_it) {
    auto checked = omp::validate_panel_url(curl(), "not a url");
    BOOST_REQUIRE(!checked.ok());
    BOOST_TEST(mentions(checked.error().message, "`not a url'"));
}

BOOST_AUTO_TEST_CASE(credentials_are_cut_from_the_url_in_logs) {
    BOOST_TEST(omp::url_for_log(curl(), "https://user:hunter2@panel.example/e") ==
               "https://panel.example/e");
    BOOST_TEST(!mentions(omp::url_for_log(curl(), "no url user:hunter2@host"), "hunter2"));
}

BOOST_AUTO_TEST_CASE(a_refused_url_never_quotes_its_password) {
    auto checked = omp::validate_panel_url(curl(), "gopher://user:hunter2@panel/x");
    BOOST_REQUIRE(!checked.ok());
    BOOST_TEST(!mentions(checked.error().message, "hunter2"));
}

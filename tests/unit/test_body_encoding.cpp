// How a POST body goes out: `--panel-gzip off|auto|on`, the 415 fallback of `auto`, the gzip
// member itself, and which HTTP version keeps the panel's TLS session.
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "panel/body_encoding.hpp"
#include "panel/gzip_body.hpp"
#include "panel/http_sender.hpp"

namespace {

using omp::BodyEncoding;
using omp::PanelGzip;

// What a panel does with the body: inflate it, gzip header and all.
std::string gunzip(const std::string& packed) {
    z_stream stream{};
    BOOST_REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
    std::string out;
    char chunk[16384];
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
    stream.avail_in = static_cast<uInt>(packed.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk);
        stream.avail_out = sizeof chunk;
        rc = inflate(&stream, Z_NO_FLUSH);
        out.append(chunk, sizeof chunk - stream.avail_out);
    }
    inflateEnd(&stream);
    BOOST_REQUIRE(rc == Z_STREAM_END);
    return out;
}

std::string payload_like(int users) {
    std::string body = R"({"status":"mgmt","clients":)" + std::to_string(users) + R"(,"users":[)";
    for (int i = 0; i < users; ++i) {
        if (i) body += ',';
        body += R"({"username":"user-)" + std::to_string(i) + R"(","client_ip":"192.0.2.)" +
                std::to_string(i % 250) + R"(","virtual_ip":"10.8.)" + std::to_string(i / 250) +
                "." + std::to_string(i % 250 + 2) + R"(","bytes_received":)" +
                std::to_string(i * 7919) + R"(,"proto":"udp"})";
    }
    return body + "]}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(panel_gzip_setting)

BOOST_AUTO_TEST_CASE(off_auto_and_on_are_the_values) {
    BOOST_TEST((*omp::parse_panel_gzip("off") == PanelGzip::off));
    BOOST_TEST((*omp::parse_panel_gzip("auto") == PanelGzip::automatic));
    BOOST_TEST((*omp::parse_panel_gzip("on") == PanelGzip::on));
}

BOOST_AUTO_TEST_CASE(anything_else_is_an_error_quoting_it) {
    auto parsed = omp::parse_panel_gzip("yes");
    BOOST_REQUIRE(!parsed.ok());
    BOOST_TEST(parsed.error().message == "bad panel gzip `yes': expected off, auto or on");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(body_encoding)

BOOST_AUTO_TEST_CASE(off_sends_plain_json_whatever_the_panel_answers) {
    BodyEncoding encoding(PanelGzip::off);
    BOOST_TEST(!encoding.gzip_next());
    BOOST_TEST(!encoding.answered(415, false));
    BOOST_TEST(!encoding.gzip_next());
}

BOOST_AUTO_TEST_CASE(auto_compresses_until_the_panel_answers_415_then_falls_back_once) {
    BodyEncoding encoding(PanelGzip::automatic);
    BOOST_TEST(encoding.gzip_next());
    BOOST_TEST(!encoding.answered(200, true));
    BOOST_TEST(encoding.gzip_next());
    auto line = encoding.answered(415, true);
    BOOST_REQUIRE(line);
    BOOST_TEST(line->find("HTTP 415") != std::string::npos);
    BOOST_TEST(!encoding.gzip_next());
    // The plain POST that follows, whatever its answer, says nothing more.
    BOOST_TEST(!encoding.answered(415, false));
    BOOST_TEST(!encoding.answered(200, false));
    BOOST_TEST(!encoding.gzip_next());
}

BOOST_AUTO_TEST_CASE(auto_keeps_compressing_through_other_failures) {
    BodyEncoding encoding(PanelGzip::automatic);
    for (long status : {400L, 401L, 413L, 500L, 503L, 0L})
        BOOST_TEST(!encoding.answered(status, true));
    BOOST_TEST(encoding.gzip_next());
}

BOOST_AUTO_TEST_CASE(on_never_falls_back_its_415_is_a_failed_post) {
    BodyEncoding encoding(PanelGzip::on);
    BOOST_TEST(!encoding.answered(415, true));
    BOOST_TEST(encoding.gzip_next());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(gzip_body)

BOOST_AUTO_TEST_CASE(a_payload_inflates_back_to_the_same_bytes) {
    std::string body = payload_like(1000);
    auto packed = omp::gzip_body(body);
    BOOST_REQUIRE(packed.ok());
    BOOST_TEST(gunzip(*packed) == body);
}

BOOST_AUTO_TEST_CASE(a_payload_of_1000_users_shrinks_at_least_fivefold) {
    std::string body = payload_like(1000);
    auto packed = omp::gzip_body(body);
    BOOST_REQUIRE(packed.ok());
    BOOST_TEST(packed->size() * 5 < body.size(), packed->size() << " of " << body.size());
}

BOOST_AUTO_TEST_CASE(it_is_a_gzip_member_not_a_zlib_stream) {
    auto packed = omp::gzip_body("{}");
    BOOST_REQUIRE(packed.ok());
    BOOST_REQUIRE(packed->size() > 2u);
    BOOST_TEST(static_cast<unsigned char>((*packed)[0]) == 0x1fu);
    BOOST_TEST(static_cast<unsigned char>((*packed)[1]) == 0x8bu);
}

BOOST_AUTO_TEST_CASE(an_empty_body_is_still_a_whole_member) {
    auto packed = omp::gzip_body("");
    BOOST_REQUIRE(packed.ok());
    BOOST_TEST(gunzip(*packed).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_version)

BOOST_AUTO_TEST_CASE(debian_12s_libcurl_speaks_http_1_1_which_keeps_the_tls_session) {
    BOOST_TEST(omp::http_version_for(0x075801) == CURL_HTTP_VERSION_1_1);  // 7.88.1
}

BOOST_AUTO_TEST_CASE(debian_13s_libcurl_offers_http_2) {
    BOOST_TEST(omp::http_version_for(0x080e01) == CURL_HTTP_VERSION_2TLS);  // 8.14.1
    BOOST_TEST(omp::http_version_for(0x081000) == CURL_HTTP_VERSION_2TLS);
}

BOOST_AUTO_TEST_CASE(versions_not_measured_in_between_stay_on_http_1_1) {
    BOOST_TEST(omp::http_version_for(0x080000) == CURL_HTTP_VERSION_1_1);
    BOOST_TEST(omp::http_version_for(0x080e00) == CURL_HTTP_VERSION_1_1);
}

BOOST_AUTO_TEST_SUITE_END()

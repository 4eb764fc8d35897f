#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/payload.hpp"

using nlohmann::json;

namespace {

omp::Session alice() {
    omp::Session s;
    s.source = "udp";
    s.common_name = "alice-cn";
    s.username = "alice";
    s.real_ip = "1.2.3.4";
    s.real_port = 5555;
    s.virtual_ip = "10.8.0.2";
    s.bytes_received = 123456;
    s.bytes_sent = 654321;
    s.connected_at = 1730000000;
    return s;
}

// A udp endpoint with these sessions and a tcp endpoint that is down.
omp::Snapshot snapshot_of(std::vector<omp::Session> sessions) {
    std::vector<omp::SourceReport> reports(2);
    reports[0].name = "udp";
    reports[0].ok = true;
    reports[0].status.sessions = std::move(sessions);
    reports[0].took = std::chrono::microseconds(1500);
    reports[1].name = "tcp";
    reports[1].error = "127.0.0.1:7506: connect: Connection refused";
    return omp::merge_reports(std::move(reports));
}

omp::Snapshot one_user_snapshot() {
    return snapshot_of({alice()});
}

json render(const omp::Snapshot& snap) {
    omp::PayloadContext ctx;
    ctx.trigger = "interval";
    return json::parse(omp::render_payload(snap, ctx));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(payload)

BOOST_AUTO_TEST_CASE(contract_keys_have_contract_types) {
    json body = render(one_user_snapshot());
    BOOST_TEST(body["status"] == "mgmt");
    BOOST_TEST(body["ts"].is_string());
    BOOST_TEST(body["clients"].is_number_integer());
    BOOST_TEST(body["clients"] == 1);
    const json& u = body["users"].at(0);
    BOOST_TEST(u["username"] == "alice");
    BOOST_TEST(u["client_ip"] == "1.2.3.4");
    BOOST_TEST(u["virtual_ip"] == "10.8.0.2");
    BOOST_TEST(u["bytes_received"].is_number_integer());
    BOOST_TEST(u["bytes_received"] == 123456);
    BOOST_TEST(u["bytes_sent"] == 654321);
    BOOST_TEST(u["connected_at"].is_number_integer());
    BOOST_TEST(u["connected_at"] == 1730000000);
}

BOOST_AUTO_TEST_CASE(body_is_exactly_what_nlohmann_writes_for_the_same_document) {
    // The users are streamed member by member with their keys formatted once; the text must
    // still be nlohmann's own compact dump of the document, byte for byte.
    omp::Session bob = alice();
    bob.username = "bob \"quoted\" \xff\xfe";
    bob.common_name = "b\x01ob";
    bob.real_port.reset();
    bob.client_id = 7;
    bob.virtual_ip.clear();
    bob.virtual_ipv6 = "fd00::2";
    omp::PayloadContext ctx;
    ctx.trigger = "interval";
    std::string body = omp::render_payload(snapshot_of({alice(), bob}), ctx);
    BOOST_TEST(body == nlohmann::ordered_json::parse(body).dump());
}

BOOST_AUTO_TEST_CASE(clients_equals_number_of_users) {
    auto bob = alice();
    bob.username = "bob";
    json body = render(snapshot_of({alice(), bob}));
    BOOST_TEST(body["clients"] == 2);
    BOOST_TEST(body["clients"] == body["users"].size());
}

BOOST_AUTO_TEST_CASE(added_user_keys_proto_and_common_name) {
    json u = render(one_user_snapshot())["users"][0];
    BOOST_TEST(u["proto"] == "udp");
    BOOST_TEST(u["common_name"] == "alice-cn");
    BOOST_TEST(u["client_port"] == 5555);
}

BOOST_AUTO_TEST_CASE(every_endpoint_state_is_reported) {
    json body = render(one_user_snapshot());
    BOOST_REQUIRE(body["sources"].size() == 2u);
    BOOST_TEST(body["sources"][0]["ok"] == true);
    BOOST_TEST(body["sources"][0]["error"].is_null());
    BOOST_TEST(body["sources"][1]["ok"] == false);
    BOOST_TEST(body["sources"][1]["error"] == "127.0.0.1:7506: connect: Connection refused");
    BOOST_TEST(body["trigger"] == "interval");
}

BOOST_AUTO_TEST_CASE(ts_is_utc_with_microseconds_and_z) {
    std::chrono::system_clock::time_point t{std::chrono::microseconds(1761548586055456)};
    BOOST_TEST(omp::format_utc_microseconds(t) == "2025-10-27T07:03:06.055456Z");
    json body = render(one_user_snapshot());
    std::regex shape(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
    BOOST_TEST(std::regex_match(body["ts"].get<std::string>(), shape));
}

BOOST_AUTO_TEST_CASE(invalid_utf8_names_give_valid_json) {
    auto odd = alice();
    odd.username = std::string("bad\xff\xfe name");
    odd.common_name = std::string("\xc3");  // truncated sequence
    std::string text = omp::render_payload(snapshot_of({odd}), {});
    json body = json::parse(text);  // throws if invalid
    BOOST_TEST(body["users"][0]["username"] == "bad\xEF\xBF\xBD\xEF\xBF\xBD name");
}

BOOST_AUTO_TEST_CASE(control_characters_and_quotes_are_escaped) {
    auto odd = alice();
    odd.username = "a\"b\\c\td\ne\x01";
    json body = json::parse(omp::render_payload(snapshot_of({odd}), {}));
    BOOST_TEST(body["users"][0]["username"] == "a\"b\\c\td\ne\x01");
}

BOOST_AUTO_TEST_CASE(ipv6_only_user_shows_its_ipv6_as_virtual_ip) {
    auto v6 = alice();
    v6.virtual_ip = "";
    v6.virtual_ipv6 = "fd00::2";
    json u = render(snapshot_of({v6}))["users"][0];
    BOOST_TEST(u["virtual_ip"] == "fd00::2");
    BOOST_TEST(u["virtual_ipv6"] == "fd00::2");
}

BOOST_AUTO_TEST_CASE(trigger_events_are_listed) {
    omp::PayloadContext ctx;
    ctx.trigger = "event";
    ctx.events.push_back({"connect", "udp", "alice", 42});
    json body = json::parse(omp::render_payload(one_user_snapshot(), ctx));
    BOOST_TEST(body["trigger"] == "event");
    BOOST_TEST(body["events"][0]["event"] == "connect");
    BOOST_TEST(body["events"][0]["hook_ts_us"] == 42);
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include "event/event_datagram.hpp"

using namespace omp::event;

namespace {

std::string encode_to_string(const EventFields& f) {
    std::array<char, kMaxDatagram> buffer;
    std::size_t n = encode(f, buffer);
    return std::string(buffer.data(), n);
}

Event decode_ok(std::string_view data) {
    auto result = decode(data);
    if (!result) BOOST_FAIL(result.error().message);
    return *result;
}

std::string decode_error(std::string_view data) {
    auto result = decode(data);
    BOOST_REQUIRE(!result.ok());
    return result.error().message;
}

std::string datagram(std::initializer_list<std::string_view> fields) {
    std::string out(kMagic);
    out += '\0';
    for (auto f : fields) {
        out += f;
        out += '\0';
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_datagram)

BOOST_AUTO_TEST_CASE(disconnect_round_trips_every_field) {
    EventFields f;
    f.kind = Kind::disconnect;
    f.source = "udp";
    f.ts_us = 1730000000123456;
    f.common_name = "alice-cn";
    f.username = "alice";
    f.real_ip = "2001:db8::1";
    f.real_port = "5555";
    f.virtual_ip = "10.8.0.2";
    f.virtual_ipv6 = "fd00::2";
    f.connected_at = "1730000000";
    f.bytes_received = "123";
    f.bytes_sent = "456";
    f.duration = "789";
    Event e = decode_ok(encode_to_string(f));
    BOOST_TEST((e.kind == Kind::disconnect));
    BOOST_TEST(e.source == "udp");
    BOOST_TEST(e.ts_us == 1730000000123456);
    BOOST_TEST(e.common_name == "alice-cn");
    BOOST_TEST(e.username == "alice");
    BOOST_TEST(e.real_ip == "2001:db8::1");
    BOOST_TEST(e.real_port == 5555);
    BOOST_TEST(e.virtual_ip == "10.8.0.2");
    BOOST_TEST(e.virtual_ipv6 == "fd00::2");
    BOOST_TEST(e.connected_at == 1730000000);
    BOOST_TEST(*e.bytes_received == 123u);
    BOOST_TEST(*e.bytes_sent == 456u);
    BOOST_TEST(*e.duration == 789);
}

BOOST_AUTO_TEST_CASE(connect_carries_no_final_counters) {
    EventFields f;
    f.source = "tcp";
    f.ts_us = 1;
    f.bytes_received = "999";  // present in OpenVPN's env only on disconnect; never sent here
    Event e = decode_ok(encode_to_string(f));
    BOOST_TEST((e.kind == Kind::connect));
    BOOST_TEST(!e.bytes_received);
}

BOOST_AUTO_TEST_CASE(long_values_are_cut_and_the_datagram_fits) {
    std::string huge(10000, 'x');
    EventFields f;
    f.source = "udp";
    f.common_name = huge;
    f.username = huge;
    f.real_ip = huge;
    f.virtual_ip = huge;
    f.virtual_ipv6 = huge;
    f.connected_at = huge;
    f.real_port = huge;
    f.kind = Kind::disconnect;
    f.bytes_received = huge;
    std::string d = encode_to_string(f);
    BOOST_TEST(d.size() <= kMaxDatagram);
    BOOST_TEST(d.find(std::string(kMaxValue + 1, 'x')) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_version_is_rejected) {
    std::string d = datagram({"event=connect", "instance=udp", "ts_us=1"});
    d.replace(0, kMagic.size(), "ovpn-mgmt-push/2");
    BOOST_TEST(decode_error(d).find("ovpn-mgmt-push/2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_ignored) {
    Event e = decode_ok(datagram({"event=connect", "instance=udp", "ts_us=1", "future=yes"}));
    BOOST_TEST(e.source == "udp");
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_rejected) {
    decode_error(datagram({"event=connect", "instance=udp", "instance=tcp", "ts_us=1"}));
}

BOOST_AUTO_TEST_CASE(missing_required_keys_are_rejected) {
    decode_error(datagram({"instance=udp", "ts_us=1"}));
    decode_error(datagram({"event=connect", "ts_us=1"}));
    decode_error(datagram({"event=connect", "instance=udp"}));
}

BOOST_AUTO_TEST_CASE(bad_numbers_are_rejected) {
    decode_error(datagram({"event=connect", "instance=udp", "ts_us=soon"}));
    decode_error(datagram({"event=connect", "instance=udp", "ts_us=1", "real_port=70000"}));
    decode_error(datagram({"event=connect", "instance=udp", "ts_us=1", "bytes_sent=-5"}));
}

BOOST_AUTO_TEST_CASE(unterminated_and_keyless_fields_are_rejected) {
    std::string d = datagram({"event=connect", "instance=udp", "ts_us=1"});
    d.pop_back();
    decode_error(d);
    decode_error(datagram({"event=connect", "instance=udp", "ts_us=1", "=x"}));
    decode_error(datagram({"event=connect", "instance=udp", "ts_us=1", "novalue"}));
}

BOOST_AUTO_TEST_CASE(an_empty_a_foreign_or_an_oversized_datagram_is_refused) {
    decode_error("");
    decode_error("hello");
    decode_error(std::string(kMaxDatagram + 1, 'a'));
}

BOOST_AUTO_TEST_SUITE_END()

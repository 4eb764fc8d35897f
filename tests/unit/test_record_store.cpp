#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "fixtures.hpp"
#include "records/record_store.hpp"

namespace fs = std::filesystem;

namespace {

omp::SessionRecord record(const std::string& id) {
    omp::SessionRecord r;
    r.id = id;
    r.source = "udp";
    r.username = "user-" + id;
    r.bytes_received = 10;
    return r;
}

omp::RecordStore open_store(const TempDir& dir, std::size_t capacity = 100) {
    auto store = omp::RecordStore::open(dir.str(), capacity);
    if (!store) BOOST_FAIL(store.error().message);
    return std::move(*store);
}

std::size_t journal_lines(const omp::RecordStore& store) {
    std::ifstream in(store.path());
    std::size_t n = 0;
    std::string line;
    while (std::getline(in, line)) n += !line.empty();
    return n;
}

// A client's disconnect as the plugin reports it, at 1730000100.123456.
omp::event::Event disconnect(std::string source, std::string common_name, std::string real_ip,
                             std::uint16_t real_port, std::int64_t connected_at) {
    omp::event::Event e;
    e.kind = omp::event::Kind::disconnect;
    e.source = std::move(source);
    e.ts_us = 1730000100123456;
    e.common_name = std::move(common_name);
    e.real_ip = std::move(real_ip);
    e.real_port = real_port;
    e.connected_at = connected_at;
    return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session_records)

BOOST_AUTO_TEST_CASE(disconnect_event_becomes_a_record_with_final_figures) {
    auto e = disconnect("tcp", "cn", "::ffff:192.0.2.4", 4444, 1730000000);
    e.username = "alice";
    e.virtual_ip = "10.8.0.3";
    e.bytes_received = 11;
    e.bytes_sent = 22;
    e.duration = 100;
    auto r = omp::record_from_disconnect(e);
    BOOST_TEST(r.id == omp::session_id("tcp", 1730000000, "cn", "alice"));  // as a poll names it
    BOOST_TEST(r.id.starts_with("tcp-1730000000-"));
    BOOST_TEST(omp::to_string(r.observed) == "event");
    BOOST_TEST(r.username == "alice");
    BOOST_TEST(r.real_ip == "192.0.2.4");
    BOOST_TEST(r.disconnected_at == 1730000100);
    BOOST_TEST(r.duration == 100);
    BOOST_TEST(r.bytes_received == 11u);
    BOOST_TEST(r.bytes_sent == 22u);
    BOOST_TEST(r.reason == "unknown");
}

BOOST_AUTO_TEST_CASE(a_record_read_back_from_its_json_line_is_the_same_record) {
    auto r = record("a");
    r.common_name = "odd \"name\"\t";
    auto back = omp::record_from_json(omp::record_to_json(r));
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(back->common_name == r.common_name);
    BOOST_TEST(back->bytes_received == 10u);
}

BOOST_AUTO_TEST_CASE(malformed_json_lines_are_errors_not_exceptions) {
    BOOST_TEST(!omp::record_from_json("{").ok());
    BOOST_TEST(!omp::record_from_json("{\"id\":1}").ok());
    BOOST_TEST(!omp::record_from_json("[]").ok());
}

BOOST_AUTO_TEST_CASE(records_survive_a_restart_until_acknowledged) {
    TempDir dir;
    {
        auto store = open_store(dir);
        BOOST_REQUIRE(store.add(record("1")).ok());
        BOOST_REQUIRE(store.add(record("2")).ok());
    }
    auto store = open_store(dir);  // a new process
    BOOST_REQUIRE(store.size() == 2u);
    BOOST_REQUIRE(store.acknowledge({"1"}).ok());
    auto again = open_store(dir);
    BOOST_REQUIRE(again.size() == 1u);
    BOOST_TEST(again.pending(10)[0].id == "2");
    BOOST_TEST(journal_lines(again) == 1u);  // compacted on open
}

BOOST_AUTO_TEST_CASE(the_same_id_is_kept_once) {
    TempDir dir;
    auto store = open_store(dir);
    BOOST_REQUIRE(store.add(record("1")).ok());
    BOOST_REQUIRE(store.add(record("1")).ok());
    BOOST_TEST(store.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_bound_drops_the_oldest_and_counts_them) {
    TempDir dir;
    auto store = open_store(dir, 3);
    for (const char* id : {"1", "2", "3", "4", "5"}) BOOST_REQUIRE(store.add(record(id)).ok());
    BOOST_TEST(store.size() == 3u);
    BOOST_TEST(store.dropped() == 2u);
    BOOST_TEST(store.pending(10)[0].id == "3");
    auto again = open_store(dir, 3);
    BOOST_TEST(again.size() == 3u);
    BOOST_TEST(again.pending(10)[0].id == "3");
    BOOST_TEST(again.dropped() == 0u);  // counted once, by the run that dropped them
}

BOOST_AUTO_TEST_CASE(pending_gives_the_oldest_first_up_to_a_limit) {
    TempDir dir;
    auto store = open_store(dir);
    for (const char* id : {"1", "2", "3"}) BOOST_REQUIRE(store.add(record(id)).ok());
    auto two = store.pending(2);
    BOOST_REQUIRE(two.size() == 2u);
    BOOST_TEST(two[0].id == "1");
    BOOST_TEST(two[1].id == "2");
}

BOOST_AUTO_TEST_CASE(a_line_cut_by_a_crash_is_skipped_and_counted) {
    TempDir dir;
    {
        auto store = open_store(dir);
        BOOST_REQUIRE(store.add(record("1")).ok());
    }
    std::ofstream(dir.path / "session-records.jsonl", std::ios::app) << "{\"id\":\"2\",\"inst";
    auto store = open_store(dir);
    BOOST_TEST(store.size() == 1u);
    BOOST_TEST(store.unreadable_lines() == 1u);
    BOOST_TEST(journal_lines(store) == 1u);  // cleaned up on open
}

BOOST_AUTO_TEST_CASE(a_smaller_capacity_drops_at_once) {
    TempDir dir;
    auto store = open_store(dir);
    for (const char* id : {"1", "2", "3"}) BOOST_REQUIRE(store.add(record(id)).ok());
    store.set_capacity(1);
    BOOST_TEST(store.size() == 1u);
    BOOST_TEST(store.dropped() == 2u);
}

BOOST_AUTO_TEST_CASE(without_time_unix_the_hooks_timestamp_names_the_end) {
    auto e = disconnect("udp", "", "", 4444, 0);  // no time_unix: connected_at is 0
    BOOST_TEST(omp::record_from_disconnect(e).id == "udp-1730000100123456-4444");
}

BOOST_AUTO_TEST_CASE(a_record_made_from_polls_says_so_and_carries_the_last_figures) {
    auto s = listed_session("tcp", "bob", "192.0.2.9", 5555);
    s.connected_at = 1730000000;
    s.bytes_received = 7;
    s.bytes_sent = 8;
    auto r = omp::record_from_last_poll(s, 1730000060);
    BOOST_TEST(r.id == omp::session_id("tcp", 1730000000, "bob", "bob"));
    BOOST_TEST(omp::to_string(r.observed) == "poll");
    BOOST_TEST(r.disconnected_at == 1730000060);
    BOOST_TEST(r.duration == 60);
    BOOST_TEST(r.bytes_received == 7u);
    auto back = omp::record_from_json(omp::record_to_json(r));
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(omp::to_string(back->observed) == "poll");
}

BOOST_AUTO_TEST_CASE(one_session_has_one_id_whether_its_end_came_by_event_or_by_poll) {
    auto e = disconnect("udp", "carol", "2001:db8:10::25", 40123, 1730000000);  // with its port
    auto polled = listed_session("udp", "carol", "2001:db8:10::25", 0);
    polled.real_port.reset();  // OpenVPN 2.4-2.6 print an IPv6 address without its port
    polled.connected_at = 1730000000;
    BOOST_TEST(omp::record_from_disconnect(e).id ==
               omp::record_from_last_poll(polled, 1730000090).id);
    polled.real_ip = "203.0.113.9";  // a UDP client that floated mid-session
    polled.real_port = 6000;
    BOOST_TEST(omp::record_from_disconnect(e).id ==
               omp::record_from_last_poll(polled, 1730000090).id);
    // Another user, or another start, is another session.
    BOOST_TEST(omp::session_id("udp", 1730000000, "carol", "dave") !=
               omp::session_id("udp", 1730000000, "carol", "carol"));
    BOOST_TEST(omp::session_id("udp", 1730000000, "ab", "c") !=
               omp::session_id("udp", 1730000000, "a", "bc"));
    BOOST_TEST(omp::session_id("udp", 1730000001, "carol", "carol") !=
               omp::session_id("udp", 1730000000, "carol", "carol"));
}

BOOST_AUTO_TEST_CASE(a_record_spooled_before_observed_existed_came_from_an_event) {
    std::string old_line = omp::record_to_json(record("old"));
    old_line.erase(old_line.find(",\"observed\""));
    old_line += "}";
    auto back = omp::record_from_json(old_line);
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(omp::to_string(back->observed) == "event");
}

BOOST_AUTO_TEST_CASE(each_change_appends_one_line_and_rewrites_nothing) {
    TempDir dir;
    auto store = open_store(dir);
    struct stat before {};
    BOOST_REQUIRE(::stat(store.path().c_str(), &before) == 0);
    for (const char* id : {"1", "2", "3"}) BOOST_REQUIRE(store.add(record(id)).ok());
    BOOST_REQUIRE(store.set_reason("2", "ping-timeout").ok());
    BOOST_REQUIRE(store.acknowledge({"1", "3"}).ok());
    struct stat after {};
    BOOST_REQUIRE(::stat(store.path().c_str(), &after) == 0);
    BOOST_TEST(after.st_ino == before.st_ino);  // appended to, never replaced
    BOOST_TEST(journal_lines(store) == 5u);
    auto again = open_store(dir);
    BOOST_REQUIRE(again.size() == 1u);
    BOOST_TEST(again.pending(10)[0].reason == "ping-timeout");
}

BOOST_AUTO_TEST_CASE(the_journal_is_compacted_once_much_longer_than_what_is_pending) {
    TempDir dir;
    auto store = open_store(dir, 5000);
    for (int i = 0; i < 3000; ++i) {
        BOOST_REQUIRE(store.add(record(std::to_string(i))).ok());
        BOOST_REQUIRE(store.acknowledge({std::to_string(i)}).ok());
    }
    BOOST_TEST(store.size() == 0u);
    BOOST_TEST(journal_lines(store) <= 1000u);  // 6000 changes, never more than 1000 lines
    BOOST_TEST(journal_lines(store) == store.journal_lines());
}

BOOST_AUTO_TEST_CASE(openvpns_own_figures_replace_a_pending_record_made_from_polls) {
    TempDir dir;
    auto store = open_store(dir);
    auto from_poll = record("s");
    from_poll.observed = omp::Observed::poll;
    from_poll.reason = "server-shutdown";
    auto from_event = record("s");
    from_event.bytes_received = 99;
    BOOST_REQUIRE(store.add(from_poll).ok());
    BOOST_REQUIRE(store.add(from_event).ok());
    BOOST_REQUIRE(store.add(from_poll).ok());  // never the other way round
    BOOST_REQUIRE(store.size() == 1u);
    BOOST_TEST(store.find("s")->bytes_received == 99u);
    BOOST_TEST(omp::to_string(store.find("s")->observed) == "event");
    BOOST_TEST(store.find("s")->reason == "server-shutdown");  // the poll's reason kept
    auto again = open_store(dir);
    BOOST_TEST(again.find("s")->bytes_received == 99u);
}

BOOST_AUTO_TEST_CASE(the_bound_is_at_most_a_million_records) {
    TempDir dir;
    auto store = open_store(dir);
    store.set_capacity(std::size_t(1) << 40);
    for (const char* id : {"1", "2"}) BOOST_REQUIRE(store.add(record(id)).ok());
    BOOST_TEST(omp::RecordStore::kMaxCapacity == 1000000u);
    BOOST_TEST(store.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

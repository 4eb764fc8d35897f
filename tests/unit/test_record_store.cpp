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

}  // namespace

BOOST_AUTO_TEST_SUITE(session_records)

BOOST_AUTO_TEST_CASE(disconnect_event_becomes_a_record_with_final_figures) {
    omp::event::Event e;
    e.kind = omp::event::Kind::disconnect;
    e.source = "tcp";
    e.ts_us = 1730000100123456;
    e.common_name = "cn";
    e.username = "alice";
    e.real_ip = "::ffff:192.0.2.4";
    e.real_port = 4444;
    e.virtual_ip = "10.8.0.3";
    e.connected_at = 1730000000;
    e.bytes_received = 11;
    e.bytes_sent = 22;
    e.duration = 100;
    auto r = omp::record_from_disconnect(e);
    BOOST_TEST(r.id == "tcp-1730000100123456-4444");
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
    BOOST_TEST(journal_lines(store) == 1u);
    auto again = open_store(dir);
    BOOST_REQUIRE(again.size() == 1u);
    BOOST_TEST(again.pending(10)[0].id == "2");
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
    BOOST_TEST(journal_lines(store) == 3u);
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

BOOST_AUTO_TEST_SUITE_END()

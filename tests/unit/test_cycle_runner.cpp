// Whole daemon cycles on fakes: canned source reports instead of management sockets, a
// scripted panel instead of HTTP, as ninja's Builder runs on a fake command runner.
#include <boost/test/unit_test.hpp>
#include <deque>
#include <nlohmann/json.hpp>

#include "daemon/cycle_runner.hpp"
#include "daemon/service_status.hpp"
#include "fixtures.hpp"

using namespace std::chrono_literals;
using Json = nlohmann::json;
using Clock = omp::SteadyClock;

namespace {

// A query that has its report before anyone polls it (as a refused connect has).
class CannedQuery final : public omp::SourceQuery {
  public:
    explicit CannedQuery(omp::SourceReport report) : report_(std::move(report)) {}
    int fd() const override { return -1; }
    short poll_events() const override { return 0; }
    Clock::time_point deadline() const override { return Clock::time_point::max(); }
    void advance(short, Clock::time_point) override {}
    bool finished() const override { return true; }
    omp::SourceReport take_report() override { return std::move(report_); }

  private:
    omp::SourceReport report_;
};

struct World {
    std::vector<omp::SourceReport> reports;  // what every poll finds
    int polls = 0;
    std::vector<std::string> bodies;  // every POST the panel received
    bool in_flight = false;
    std::deque<omp::PostResult> answers;  // how the panel answers, in order
    std::vector<std::string> panels;      // the URL of every client made
    std::map<std::string, std::deque<std::optional<std::string>>>
        log_reasons;                  // common name -> lookups
    std::int64_t epoch = 1800000000;  // the wall clock, in seconds
};

class FakeSources final : public omp::SourcePoller {
  public:
    explicit FakeSources(World& w) : w_(w) {}
    omp::SourceQueries start(Clock::time_point) override {
        ++w_.polls;
        omp::SourceQueries queries;
        for (const auto& r : w_.reports) queries.push_back(std::make_unique<CannedQuery>(r));
        return queries;
    }
    void reconfigure(const omp::Settings&) override {}

  private:
    World& w_;
};

class FakePanel final : public omp::PanelClient {
  public:
    explicit FakePanel(World& w) : w_(w) {}
    void start(std::string body) override {
        w_.bodies.push_back(std::move(body));
        w_.in_flight = true;
    }
    bool in_flight() const override { return w_.in_flight; }
    std::optional<omp::PostResult> progress() override {
        if (!w_.in_flight || w_.answers.empty()) return std::nullopt;
        auto answer = w_.answers.front();
        w_.answers.pop_front();
        w_.in_flight = false;
        return answer;
    }
    omp::Status wait(std::vector<pollfd>&, std::chrono::milliseconds) override { return omp::Ok{}; }

  private:
    World& w_;
};

class FakeReasons final : public omp::ReasonSource {
  public:
    explicit FakeReasons(World& w) : w_(w) {}
    bool covers(const std::string& source) const override { return source == "udp"; }
    std::optional<std::string> reason_for(const omp::SessionKey& s, Clock::time_point,
                                          Clock::time_point) override {
        auto& answers = w_.log_reasons[s.common_name];
        if (answers.empty()) return std::nullopt;
        auto answer = answers.front();
        answers.pop_front();
        return answer;
    }

  private:
    World& w_;
};

omp::Session session(const std::string& name, std::uint16_t port) {
    omp::Session s;
    s.source = "udp";
    s.common_name = s.username = name;
    s.real_ip = "198.51.100.7";
    s.real_port = port;
    s.virtual_ip = "10.8.0.2";
    return s;
}

omp::SourceReport report(std::vector<omp::Session> sessions) {
    omp::SourceReport r;
    r.name = "udp";
    r.ok = true;
    r.status.sessions = std::move(sessions);
    return r;
}

omp::event::Event disconnect(const std::string& name, std::uint16_t port, std::int64_t ts_us) {
    omp::event::Event e;
    e.kind = omp::event::Kind::disconnect;
    e.source = "udp";
    e.common_name = name;
    e.real_ip = "198.51.100.7";
    e.real_port = port;
    e.ts_us = ts_us;
    e.bytes_received = 1000;
    e.bytes_sent = 2000;
    return e;
}

// Alice as a poll lists her, and as the plugin reports her end: the same session.
constexpr std::int64_t kAliceConnectedAt = 1799990000;

omp::Session listed_alice() {
    auto s = session("alice", 5000);
    s.connected_at = kAliceConnectedAt;
    s.bytes_received = 123;
    s.bytes_sent = 456;
    return s;
}

omp::event::Event alice_disconnects() {
    auto e = disconnect("alice", 5000, 1800000009000000);
    e.connected_at = kAliceConnectedAt;
    return e;
}

const std::string kAliceId = omp::session_id("udp", kAliceConnectedAt, "alice", "alice");

omp::PostResult accepted() {
    return omp::PostResult{true, 200, "", ""};
}
omp::PostResult refused() {
    return omp::PostResult{false, 503, "panel answered HTTP 503", "http 503"};
}

struct Daemon {
    TempDir state;
    std::string state_dir;
    World world;
    Clock::time_point t0 = Clock::now();
    omp::CycleRunner runner;

    // A daemon of its own; or, given `earlier`, one started again on that daemon's state.
    explicit Daemon(std::vector<omp::Session> listed = {session("alice", 5000)},
                    const Daemon* earlier = nullptr)
        : state_dir(earlier ? earlier->state_dir : state.str()), runner(make(listed)) {}

    omp::CycleRunner make(std::vector<omp::Session> listed) {
        world.reports = {report(std::move(listed))};
        // As the table resolves them (every default its own), without reading a file.
        auto line = omp::parse_command_line({"run", "--mgmt", "udp=127.0.0.1:7505", "--url",
                                             "http://panel.test/api/servers/1/events"});
        auto settings = omp::resolve_values(*line, {}, {});
        if (!settings) throw std::runtime_error(settings.error().message);
        auto records = omp::RecordStore::open(state_dir, 100);
        if (!records) throw std::runtime_error(records.error().message);
        auto open_sessions = omp::OpenSessions::open(state_dir);
        if (!open_sessions) throw std::runtime_error(open_sessions.error().message);
        omp::CycleParts parts{std::make_unique<FakeSources>(world),
                              [this](const omp::PanelConfig& p) {
                                  world.panels.push_back(p.url);
                                  return std::make_unique<FakePanel>(world);
                              },
                              [](const std::string& url) { return url; },
                              std::move(*records),
                              std::move(*open_sessions),
                              std::make_unique<FakeReasons>(world)};
        parts.epoch_now = [this] { return world.epoch; };
        return omp::CycleRunner(std::move(*settings), std::move(parts), t0);
    }
    void at(std::chrono::milliseconds t) { runner.advance({}, t0 + t); }
    Json last_post() const { return Json::parse(world.bodies.back()); }
    // The one session record the last POST carries (the test fails when it carries another count).
    Json only_record_in_last_post() const {
        auto ended = last_post()["sessions_ended"];
        BOOST_REQUIRE_EQUAL(ended.size(), 1u);
        return ended[0];
    }
    // A whole cycle at `t`: polled, posted, answered as `answer`.
    void cycle(std::chrono::milliseconds t, omp::PostResult answer = accepted()) {
        world.answers = {answer};
        at(t);
        at(t + 1ms);
    }
    std::vector<Json> every_record_posted() const {
        std::vector<Json> all;
        for (const auto& body : world.bodies) {
            Json post = Json::parse(body);
            for (const auto& r : post["sessions_ended"]) all.push_back(r);
        }
        return all;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cycle_runner)

BOOST_AUTO_TEST_CASE(the_first_cycle_runs_at_once_and_posts_what_the_sources_list) {
    Daemon d;
    d.at(0ms);
    BOOST_TEST(d.world.polls == 1);
    BOOST_REQUIRE(d.world.bodies.size() == 1u);
    BOOST_TEST(d.last_post()["trigger"] == "startup");
    BOOST_TEST(d.last_post()["clients"] == 1);
    BOOST_TEST(d.last_post()["users"][0]["username"] == "alice");
}

BOOST_AUTO_TEST_CASE(events_during_a_post_fold_into_one_next_cycle_that_names_them_all) {
    Daemon d;
    d.at(0ms);
    d.runner.on_event(disconnect("alice", 5000, 1), d.t0 + 10ms);
    d.runner.on_event(disconnect("bob", 6000, 2), d.t0 + 11ms);
    d.at(12ms);
    BOOST_TEST(d.world.bodies.size() == 1u);  // one POST in flight at a time
    d.world.answers.push_back(accepted());
    d.at(20ms);
    BOOST_REQUIRE(d.world.bodies.size() == 2u);
    BOOST_TEST(d.last_post()["trigger"] == "event");
    BOOST_TEST(d.last_post()["events"].size() == 2u);
    BOOST_TEST(d.last_post()["clients"] == 0);  // the overlay hides what the poll still lists
}

BOOST_AUTO_TEST_CASE(a_record_is_posted_until_the_panel_acknowledges_it) {
    Daemon d;
    d.world.answers = {accepted()};
    d.at(0ms);
    d.at(1ms);
    d.runner.on_event(disconnect("carol", 7000, 3), d.t0 + 10ms);
    d.world.answers = {refused()};
    d.at(10ms);  // posts the record
    d.at(11ms);  // refused
    BOOST_TEST(d.runner.records().size() == 1u);
    d.world.answers = {accepted()};
    d.at(2000ms);  // retried with the newest state, the record still in it
    d.at(2001ms);
    BOOST_TEST(d.last_post()["sessions_ended"].size() == 1u);
    BOOST_TEST(d.runner.records().size() == 0u);
}

namespace {

// What the loop sends systemd after a POST: the line made from the runner's record.
std::string status_line(Daemon& d, omp::CycleRecord::Clock::time_point now) {
    return omp::service_status(d.runner.last_cycles(), d.runner.records().size(), now);
}

}  // namespace

BOOST_AUTO_TEST_CASE(systemds_status_line_follows_every_post) {
    Daemon d;
    d.world.answers = {refused()};
    d.at(0ms);
    BOOST_TEST(d.runner.last_cycles().posts_finished() == 0u);
    d.at(1ms);
    BOOST_TEST(d.runner.last_cycles().posts_finished() == 1u);
    BOOST_TEST(status_line(d, d.t0 + 1ms) ==
               "1/1 sources ok, 1 user, last POST failed (panel answered HTTP 503; none yet), "
               "0 records pending");
    d.world.answers = {accepted()};
    d.at(2000ms);
    d.at(2001ms);
    BOOST_TEST(d.runner.last_cycles().posts_finished() == 2u);
    BOOST_TEST(status_line(d, d.t0 + 2501ms) ==
               "1/1 sources ok, 1 user, last POST 0.5 s ago, 0 records pending");
}

BOOST_AUTO_TEST_CASE(a_refused_post_waits_before_the_next_try_and_never_longer_than_an_interval) {
    Daemon d;
    d.world.answers = {refused(), refused(), refused()};
    d.at(0ms);
    d.at(1ms);  // refused: the next try waits
    BOOST_TEST(d.world.bodies.size() == 1u);
    d.at(400ms);
    BOOST_TEST(d.world.bodies.size() == 1u);
    d.at(501ms);  // 250 ms * 2
    BOOST_TEST(d.world.bodies.size() == 2u);
    for (int i = 0; i < 30; ++i) d.world.answers.push_back(refused());
    for (int t = 502; t < 30000; t += 100) d.at(std::chrono::milliseconds(t));
    // Backing off doubles but is capped at the 2 s interval: about 15 tries in 30 s.
    BOOST_TEST(d.world.bodies.size() >= 13u);
    BOOST_TEST(d.world.bodies.size() <= 17u);
}

BOOST_AUTO_TEST_CASE(ticks_stay_on_the_interval_grid_however_long_a_post_takes) {
    Daemon d;
    d.at(0ms);
    d.world.answers = {accepted()};
    d.at(2500ms);  // answered late: the tick at 2 s is due now
    BOOST_TEST(d.world.bodies.size() == 2u);
    BOOST_TEST(d.last_post()["trigger"] == "interval");
    d.world.answers = {accepted()};
    d.at(2600ms);
    d.at(3999ms);
    BOOST_TEST(d.world.bodies.size() == 2u);
    d.at(4000ms);  // the grid's next point, not 2 s after the last POST
    BOOST_TEST(d.world.bodies.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_record_waits_for_its_reason_in_the_log_and_is_then_posted_with_it) {
    Daemon d;
    d.world.answers = {accepted()};
    d.at(0ms);
    d.at(1ms);
    d.world.log_reasons["dave"] = {std::nullopt, std::nullopt, std::string("ping-timeout")};
    d.runner.on_event(disconnect("dave", 8000, 4), d.t0 + 10ms);
    d.world.answers = {accepted()};
    d.at(10ms);  // the event's POST leaves the waiting record out
    BOOST_TEST(d.last_post()["sessions_ended"].size() == 0u);
    d.at(20ms);  // the log has the reason now: posted at once
    BOOST_TEST(d.world.bodies.size() == 3u);
    BOOST_TEST(d.last_post()["sessions_ended"].size() == 1u);
    BOOST_TEST(d.last_post()["sessions_ended"][0]["reason"] == "ping-timeout");
}

BOOST_AUTO_TEST_CASE(a_record_whose_reason_never_comes_is_posted_as_unknown_after_the_wait) {
    Daemon d;
    d.world.answers = {accepted(), accepted()};
    d.at(0ms);
    d.at(1ms);
    d.runner.on_event(disconnect("erin", 9000, 5), d.t0 + 10ms);
    d.at(10ms);
    d.at(11ms);
    d.at(12ms);
    BOOST_TEST(d.last_post()["sessions_ended"].size() == 0u);
    BOOST_TEST(d.world.bodies.size() == 2u);  // a waiting record brings no POST of its own
    d.world.answers = {accepted()};
    d.at(10ms + omp::ReasonWaits::kWait);
    BOOST_TEST(d.world.bodies.size() == 3u);
    BOOST_TEST(d.last_post()["sessions_ended"][0]["reason"] == "unknown");
}

BOOST_AUTO_TEST_CASE(a_reload_changes_the_panel_only_once_no_post_is_in_flight) {
    Daemon d;
    d.at(0ms);  // a POST is in flight
    omp::Settings fresh = d.runner.settings();
    fresh.panel->url = "http://other.test/api/servers/1/events";
    d.runner.reload(fresh, d.t0 + 5ms);
    d.at(6ms);
    BOOST_TEST(d.world.panels.size() == 1u);
    d.world.answers = {accepted()};
    d.at(7ms);  // answered: the new panel takes over, and the reload posts at once
    BOOST_REQUIRE(d.world.panels.size() == 2u);
    BOOST_TEST(d.world.panels.back() == "http://other.test/api/servers/1/events");
    BOOST_TEST(d.world.bodies.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_failed_reload_keeps_the_running_settings) {
    Daemon d;
    d.at(0ms);
    d.runner.reload(omp::error("bad interval `x'"), d.t0 + 5ms);
    BOOST_TEST(d.runner.settings().panel->url == "http://panel.test/api/servers/1/events");
}

BOOST_AUTO_TEST_CASE(a_stopping_daemon_starts_no_new_cycle) {
    Daemon d;
    d.runner.advance({}, d.t0, false);
    BOOST_TEST(d.world.polls == 0);
}

BOOST_AUTO_TEST_CASE(a_session_gone_from_a_complete_poll_without_an_event_gets_a_record) {
    Daemon d({listed_alice()});
    d.cycle(0ms);
    d.world.epoch += 2;
    d.world.reports = {report({})};  // alice's disconnect event was lost
    d.world.log_reasons["alice"] = {std::string("ping-timeout")};
    d.cycle(2000ms);
    auto record = d.only_record_in_last_post();
    BOOST_TEST(record["id"] == kAliceId);
    BOOST_TEST(record["observed"] == "poll");
    BOOST_TEST(record["bytes_received"] == 123);  // the last poll's figures
    BOOST_TEST(record["bytes_sent"] == 456);
    BOOST_TEST(record["disconnected_at"] == 1800000000);  // when a poll last saw her
    BOOST_TEST(record["duration"] == 10000);
    BOOST_TEST(record["reason"] == "ping-timeout");
    d.cycle(4000ms);
    BOOST_TEST(d.every_record_posted().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_or_partial_poll_ends_no_session) {
    Daemon d({listed_alice()});
    d.cycle(0ms);
    auto failed = report({});
    failed.ok = false;
    auto partial = report({});
    partial.status.malformed_rows = 1;  // alice may be the row that did not parse
    d.world.reports = {failed};
    d.cycle(2000ms);
    d.world.reports = {partial};
    d.cycle(4000ms);
    d.world.reports = {report({listed_alice()})};
    d.cycle(6000ms);
    BOOST_TEST(d.every_record_posted().empty());
}

namespace {

// Alice's end, seen first by a poll (whose record the panel refuses, so it is pending) and then
// by the `late` disconnect event, and posted again.
void end_by_a_poll_then_by(Daemon& d, const omp::event::Event& late) {
    d.cycle(0ms);
    d.world.reports = {report({})};
    d.world.log_reasons["alice"] = {std::string("ping-timeout")};
    d.cycle(2000ms, refused());
    d.runner.on_event(late, d.t0 + 2100ms);
    d.cycle(4000ms);
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_event_later_than_the_poll_brings_openvpns_figures_to_the_same_record) {
    Daemon d({listed_alice()});
    end_by_a_poll_then_by(d, alice_disconnects());
    auto record = d.only_record_in_last_post();
    BOOST_TEST(record["id"] == kAliceId);
    BOOST_TEST(record["observed"] == "event");
    BOOST_TEST(record["bytes_received"] == 1000);
    BOOST_TEST(record["reason"] == "ping-timeout");  // kept from the poll's record
    BOOST_TEST(d.runner.records().size() == 0u);
}

namespace {

// OpenVPN 2.7 with DCO may leave bytes_received/bytes_sent out of a disconnect's environment.
omp::event::Event alice_disconnects_without_counters() {
    auto e = alice_disconnects();
    e.bytes_received.reset();
    e.bytes_sent.reset();
    return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_disconnect_event_without_byte_counts_carries_the_last_polled_counters) {
    Daemon d({listed_alice()});
    d.cycle(0ms);
    d.world.log_reasons["alice"] = {std::string("exit")};
    d.runner.on_event(alice_disconnects_without_counters(), d.t0 + 100ms);
    d.world.reports = {report({})};
    d.cycle(200ms);
    auto record = d.only_record_in_last_post();
    BOOST_TEST(record["observed"] == "event");
    BOOST_TEST(record["bytes_received"] == 123);  // as the last poll listed her
    BOOST_TEST(record["bytes_sent"] == 456);
    BOOST_TEST(record["disconnected_at"] == 1800000009);  // the event's own time
}

BOOST_AUTO_TEST_CASE(an_event_with_one_byte_count_keeps_it_and_takes_the_other_from_the_poll) {
    Daemon d({listed_alice()});
    d.cycle(0ms);
    d.world.log_reasons["alice"] = {std::string("exit")};
    auto e = alice_disconnects();
    e.bytes_sent.reset();
    d.runner.on_event(e, d.t0 + 100ms);
    d.world.reports = {report({})};
    d.cycle(200ms);
    auto record = d.only_record_in_last_post();
    BOOST_TEST(record["bytes_received"] == 1000);  // OpenVPN's own
    BOOST_TEST(record["bytes_sent"] == 456);       // the last poll's
}

BOOST_AUTO_TEST_CASE(a_late_event_without_byte_counts_keeps_the_counters_of_the_polls_record) {
    Daemon d({listed_alice()});
    end_by_a_poll_then_by(d, alice_disconnects_without_counters());
    auto record = d.only_record_in_last_post();
    BOOST_TEST(record["observed"] == "event");
    BOOST_TEST(record["bytes_received"] == 123);
    BOOST_TEST(record["bytes_sent"] == 456);
}

BOOST_AUTO_TEST_CASE(an_event_later_than_an_acknowledged_record_makes_none) {
    Daemon d({listed_alice()});
    d.cycle(0ms);
    d.world.reports = {report({})};
    d.world.log_reasons["alice"] = {std::string("ping-timeout")};
    d.cycle(2000ms);
    d.runner.on_event(alice_disconnects(), d.t0 + 2100ms);
    d.runner.on_event(alice_disconnects(), d.t0 + 2101ms);  // and delivered twice
    d.cycle(4000ms);
    BOOST_TEST(d.every_record_posted().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_poll_still_listing_a_session_whose_event_came_first_makes_no_record) {
    Daemon d({listed_alice()});
    d.cycle(0ms);
    d.world.log_reasons["alice"] = {std::string("exit")};
    d.runner.on_event(alice_disconnects(), d.t0 + 100ms);
    d.cycle(200ms);  // this poll was answered before OpenVPN dropped her
    d.world.reports = {report({})};
    d.cycle(2000ms);
    auto all = d.every_record_posted();
    BOOST_REQUIRE(all.size() == 1u);
    BOOST_TEST(all[0]["observed"] == "event");
}

BOOST_AUTO_TEST_CASE(a_client_that_floats_to_another_address_has_not_ended) {
    Daemon d({listed_alice()});
    d.cycle(0ms);
    auto moved = listed_alice();  // a UDP client roams: management shows its new address
    moved.real_ip = "203.0.113.9";
    moved.real_port = 6000;
    d.world.reports = {report({moved})};
    d.cycle(2000ms);
    d.cycle(4000ms);
    BOOST_TEST(d.every_record_posted().empty());
}

BOOST_AUTO_TEST_CASE(open_sessions_outlive_the_daemon) {
    omp::Session bob = session("bob", 6000);
    bob.connected_at = kAliceConnectedAt;
    Daemon first({listed_alice(), bob});
    first.cycle(0ms);
    // Stopped; alice leaves meanwhile, bob stays. The next daemon knows both were open.
    Daemon second({bob}, &first);
    second.world.log_reasons["alice"] = {std::string("exit")};
    second.cycle(0ms);
    auto record = second.only_record_in_last_post();
    BOOST_TEST(record["id"] == kAliceId);
    BOOST_TEST(record["observed"] == "poll");
    Daemon third({bob}, &second);
    third.cycle(0ms);
    BOOST_TEST(third.every_record_posted().empty());
}

BOOST_AUTO_TEST_SUITE_END()

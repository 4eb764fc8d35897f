// Whole daemon cycles on fakes: canned source reports instead of management sockets, a
// scripted panel instead of HTTP, as ninja's Builder runs on a fake command runner.
#include <boost/test/unit_test.hpp>
#include <deque>
#include <nlohmann/json.hpp>

#include "daemon/cycle_runner.hpp"
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
        log_reasons;  // common name -> lookups
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
    return e;
}

omp::PostResult accepted() {
    return omp::PostResult{true, 200, "", ""};
}
omp::PostResult refused() {
    return omp::PostResult{false, 503, "panel answered HTTP 503", "http 503"};
}

struct Daemon {
    TempDir state;
    World world;
    Clock::time_point t0 = Clock::now();
    omp::CycleRunner runner;

    explicit Daemon(std::vector<omp::Session> listed = {session("alice", 5000)})
        : runner(make(listed)) {}

    omp::CycleRunner make(std::vector<omp::Session> listed) {
        world.reports = {report(std::move(listed))};
        omp::Settings settings;
        settings.panel = omp::PanelConfig{};
        settings.panel->url = "http://panel.test/api/servers/1/events";
        auto records = omp::RecordStore::open(state.str(), 100);
        if (!records) throw std::runtime_error(records.error().message);
        omp::CycleParts parts{std::make_unique<FakeSources>(world),
                              [this](const omp::PanelConfig& p) {
                                  world.panels.push_back(p.url);
                                  return std::make_unique<FakePanel>(world);
                              },
                              [](const std::string& url) { return url; }, std::move(*records),
                              std::make_unique<FakeReasons>(world)};
        return omp::CycleRunner(settings, std::move(parts), t0);
    }
    void at(std::chrono::milliseconds t) { runner.advance({}, t0 + t); }
    Json last_post() const { return Json::parse(world.bodies.back()); }
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

BOOST_AUTO_TEST_SUITE_END()

// What `systemctl status` shows: one line that answers "is it working", made from the record
// of the last cycles.
#include <boost/test/unit_test.hpp>

#include "core/merger.hpp"
#include "daemon/service_status.hpp"
#include "panel/panel_config.hpp"

using namespace std::chrono_literals;
using Clock = omp::CycleRecord::Clock;

namespace {

omp::Snapshot snapshot(std::vector<std::pair<std::string, bool>> sources, std::size_t users) {
    omp::Snapshot s;
    for (auto& [name, ok] : sources) {
        omp::SourceSummary summary;
        summary.name = name;
        summary.ok = ok;
        s.sources.push_back(summary);
    }
    static const omp::Session someone;
    s.users.assign(users, &someone);
    return s;
}

const omp::PostResult kAccepted{true, 200, "", ""};
const omp::PostResult kRefused{false, 503, "panel answered HTTP 503", "http 503"};

// The record and the records pending, as the loop holds them.
struct Status {
    omp::CycleRecord record;
    std::size_t records_pending = 0;

    void polled(omp::Snapshot s) { record.polled(std::move(s), 0.0); }
    void posted(const omp::PostResult& r, Clock::time_point now) {
        record.posted(r.ok, r.error, now, 0);
    }
    void set_records_pending(std::size_t n) { records_pending = n; }
    std::string text(Clock::time_point now) const {
        return omp::service_status(record, records_pending, now);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(service_status)

BOOST_AUTO_TEST_CASE(a_working_daemon_says_sources_users_last_post_and_records) {
    Status status;
    Clock::time_point t0{};
    status.polled(snapshot({{"udp", true}, {"tcp", true}}, 14));
    status.posted(kAccepted, t0);
    BOOST_TEST(status.text(t0 + 400ms) ==
               "2/2 sources ok, 14 users, last POST 0.4 s ago, 0 records pending");
}

BOOST_AUTO_TEST_CASE(a_source_that_is_down_is_named) {
    Status status;
    Clock::time_point t0{};
    status.polled(snapshot({{"udp", true}, {"tcp", false}, {"wg0", false}}, 1));
    status.posted(kAccepted, t0);
    status.set_records_pending(1);
    BOOST_TEST(status.text(t0 + 2s) ==
               "1/3 sources ok (down: tcp, wg0), 1 user, last POST 2.0 s ago, 1 record pending");
}

BOOST_AUTO_TEST_CASE(a_failing_panel_says_why_and_when_it_last_worked) {
    Status status;
    Clock::time_point t0{};
    status.polled(snapshot({{"udp", true}}, 3));
    status.posted(kRefused, t0);
    BOOST_TEST(status.text(t0) ==
               "1/1 sources ok, 3 users, last POST failed (panel answered "
               "HTTP 503; none yet), 0 records pending");
    status.posted(kAccepted, t0 + 2s);
    status.posted(kRefused, t0 + 4s);
    BOOST_TEST(status.text(t0 + 14s).find("(panel answered HTTP 503; last success 12.0 s ago)") !=
               std::string::npos);
    status.posted(kAccepted, t0 + 16s);
    BOOST_TEST(status.text(t0 + 16s).find("last POST 0.0 s ago") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(before_the_first_cycle_it_says_it_is_starting) {
    Status status;
    BOOST_TEST(status.text(Clock::time_point{}) == "starting: first poll in progress");
    status.polled(snapshot({{"udp", true}}, 0));
    BOOST_TEST(status.text(Clock::time_point{}).find("0 users, first POST in progress") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_error_cannot_break_the_line_or_grow_without_bound) {
    Status status;
    status.polled(snapshot({{"udp", true}}, 0));
    status.posted(omp::PostResult{false, 0, "bad\nSTATUS=forged " + std::string(500, 'x'), "x"},
                  Clock::time_point{});
    auto text = status.text(Clock::time_point{});
    BOOST_TEST(text.find('\n') == std::string::npos);
    BOOST_TEST(text.find("bad\\x0aSTATUS=forged") != std::string::npos);
    BOOST_TEST(text.size() < 300u);
}

BOOST_AUTO_TEST_SUITE_END()

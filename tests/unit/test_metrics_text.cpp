// GET /metrics: Prometheus's text format of the last cycle, with the names the issue fixed.
#include <boost/test/unit_test.hpp>

#include "core/merger.hpp"
#include "metrics/metrics_text.hpp"

namespace {

omp::Session session(std::string source, std::string user, std::string vip) {
    omp::Session s;
    s.source = std::move(source);
    s.username = s.common_name = std::move(user);
    s.virtual_ip = std::move(vip);
    s.bytes_received = 1000;
    s.bytes_sent = 2000;
    s.connected_at = 1800000000;
    return s;
}

omp::Snapshot two_sources() {
    std::vector<omp::SourceReport> reports(2);
    reports[0].name = "udp";
    reports[0].ok = true;
    reports[0].status.sessions = {session("udp", "alice", "10.8.0.2"),
                                  session("udp", "bob \"the\" \\admin\\\n", "10.8.0.3")};
    reports[1].name = "tcp";
    reports[1].ok = false;
    reports[1].error = "127.0.0.1:7506: connect: refused";
    return omp::merge_reports(std::move(reports));
}

// The metrics text of a cycle that saw two_sources(), with or without the per-session series.
std::string rendered_two_sources(bool per_session = true) {
    auto snapshot = two_sources();
    omp::MetricsState state;
    state.snapshot = &snapshot;
    state.per_session = per_session;
    return omp::render_metrics(state);
}

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics_text)

BOOST_AUTO_TEST_CASE(users_sources_and_sessions_carry_the_names_the_issue_fixed) {
    auto text = rendered_two_sources();
    BOOST_TEST(has_line(text, "# TYPE ovpn_mgmt_push_users gauge"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_users 2"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_source_up{source=\"udp\",kind=\"openvpn\"} 1"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_source_up{source=\"tcp\",kind=\"openvpn\"} 0"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_source_sessions{source=\"udp\",kind=\"openvpn\"} 2"));
    BOOST_TEST(has_line(text,
                        "ovpn_mgmt_push_session_received_bytes_total{source=\"udp\",username="
                        "\"alice\",common_name=\"alice\",virtual_ip=\"10.8.0.2\"} 1000"));
    BOOST_TEST(has_line(text,
                        "ovpn_mgmt_push_session_sent_bytes_total{source=\"udp\",username="
                        "\"alice\",common_name=\"alice\",virtual_ip=\"10.8.0.2\"} 2000"));
    BOOST_TEST(has_line(text,
                        "ovpn_mgmt_push_session_connected_since_seconds{source=\"udp\",username="
                        "\"alice\",common_name=\"alice\",virtual_ip=\"10.8.0.2\"} 1800000000"));
}

BOOST_AUTO_TEST_CASE(a_name_cannot_break_out_of_its_label) {
    auto text = rendered_two_sources();
    BOOST_TEST(text.find("username=\"bob \\\"the\\\" \\\\admin\\\\\\n\"") != std::string::npos);
    for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos; ++at) {
        BOOST_TEST((at + 1 == text.size() || text[at + 1] == '#' || text[at + 1] == 'o'));
    }
}

BOOST_AUTO_TEST_CASE(no_sessions_leaves_out_every_per_session_series) {
    auto text = rendered_two_sources(false);
    BOOST_TEST(text.find("ovpn_mgmt_push_session_received") == std::string::npos);
    BOOST_TEST(text.find("alice") == std::string::npos);
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_users 2"));
}

BOOST_AUTO_TEST_CASE(counters_of_posts_records_and_datagrams) {
    omp::MetricsState state;
    state.posts_ok = 7;
    state.posts_error = 2;
    state.last_success_epoch = 1800000123;
    state.records_pending = 4;
    state.records_dropped = 1;
    state.datagrams = {10, 2, 3};
    auto text = omp::render_metrics(state);
    BOOST_TEST(text.find("ovpn_mgmt_push_users") == std::string::npos);  // no cycle yet
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_panel_posts_total{result=\"ok\"} 7"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_panel_posts_total{result=\"error\"} 2"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_panel_last_success_timestamp_seconds 1800000123"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_session_records_pending 4"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_session_records_dropped_total 1"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_event_datagrams_total{result=\"accepted\"} 10"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_event_datagrams_total{result=\"foreign\"} 2"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_event_datagrams_total{result=\"malformed\"} 3"));
}

BOOST_AUTO_TEST_CASE(the_cycle_histogram_counts_each_cycle_in_every_bucket_it_fits) {
    omp::CycleHistogram cycles;
    for (double seconds : {0.003, 0.02, 20.0}) cycles.observe(seconds);
    omp::MetricsState state;
    state.cycles = &cycles;
    auto text = omp::render_metrics(state);
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_cycle_duration_seconds_bucket{le=\"0.005\"} 1"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_cycle_duration_seconds_bucket{le=\"0.025\"} 2"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_cycle_duration_seconds_bucket{le=\"10\"} 2"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_cycle_duration_seconds_bucket{le=\"+Inf\"} 3"));
    BOOST_TEST(has_line(text, "ovpn_mgmt_push_cycle_duration_seconds_count 3"));
}

BOOST_AUTO_TEST_SUITE_END()

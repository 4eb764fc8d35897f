// The daemon's rules, holding no descriptor and no timer of its own: when a cycle starts,
// what it posts, and what a POST's result changes. The loop (daemon.cpp) hands it events,
// signals and the time after each wait; the sources and the panel sit behind seams
// (SourcePoller, PanelClient), so a unit test runs whole cycles on fakes, without sockets.
//
// A cycle polls every source at once, applies the event overlay, merges and POSTs. At most
// one cycle (and so one POST) is in flight; events and ticks that arrive meanwhile only mark
// the state dirty and fold into the next cycle, so a storm yields a handful of POSTs and the
// last one is exact.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/rate_limit.hpp"
#include "common/result.hpp"
#include "config/settings.hpp"
#include "core/cycle_record.hpp"
#include "core/event_overlay.hpp"
#include "core/payload.hpp"
#include "core/rate_tracker.hpp"
#include "daemon/cadence.hpp"
#include "daemon/panel_backoff.hpp"
#include "daemon/reason_waits.hpp"
#include "daemon/source_health.hpp"
#include "daemon/source_poller.hpp"
#include "event/event_datagram.hpp"
#include "metrics/metrics_text.hpp"
#include "panel/panel_client.hpp"
#include "query/source_query.hpp"
#include "records/log_reasons.hpp"
#include "records/open_sessions.hpp"
#include "records/record_store.hpp"
#include "wireguard/wg_handshake_runs.hpp"

namespace omp {

// What the runner works with, each replaceable in tests.
struct CycleParts {
    std::unique_ptr<SourcePoller> sources;
    std::function<std::unique_ptr<PanelClient>(const PanelConfig&)> connect_panel;
    std::function<std::string(const std::string& url)> url_for_log;
    RecordStore records;
    OpenSessions open_sessions;
    std::unique_ptr<ReasonSource> reasons;
    // Epoch seconds, for the end of a session found by a poll.
    std::function<std::int64_t()> epoch_now = [] {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
};

class CycleRunner {
  public:
    using Clock = SteadyClock;

    // Datagrams the loop reads per turn: a flood cannot starve the timers.
    static constexpr std::size_t kEventBudget = 256;
    // Session records per POST: a backlog after an outage drains over a few POSTs.
    static constexpr std::size_t kRecordsPerPost = 500;

    CycleRunner(Settings settings, CycleParts parts, Clock::time_point now);

    // A plugin event: shown at once (the overlay), named in the next POST, and for a
    // disconnect, a session record that waits on disk until the panel takes it. A session
    // whose event is lost gets its record when a complete poll no longer lists it.
    void on_event(const event::Event& event, Clock::time_point now);
    void set_event_socket_counters(const EventSocketCounters& counters) {
        event_socket_ = counters;
    }
    // SIGHUP: new settings take effect without dropping the overlay, the pending events or
    // the records; a failed resolution keeps the running settings.
    void reload(Result<Settings> fresh, Clock::time_point now);
    // After each wait: `revents[i]` belongs to queries()[i]. Starts a cycle when one is due,
    // unless `may_start` is false (the daemon is stopping).
    void advance(const std::vector<short>& revents, Clock::time_point now, bool may_start = true);

    const SourceQueries& queries() const { return queries_; }
    PanelClient& panel() { return *panel_; }
    Clock::time_point next_wakeup() const;
    RecordStore& records() { return parts_.records; }
    OpenSessions& open_sessions() { return parts_.open_sessions; }
    const Settings& settings() const { return settings_; }
    // What the last cycles saw: what systemd's STATUS=, GET /metrics and the management
    // proxies report. Written here alone.
    const CycleRecord& last_cycles() const { return record_; }
    // GET /metrics: the last cycle's state, in Prometheus's text format.
    std::string metrics_text() const;

  private:
    bool idle() const { return queries_.empty() && !panel_->in_flight(); }
    void advance_queries(const std::vector<short>& revents, Clock::time_point now);
    void start_cycle(Clock::time_point now);
    void finish_cycle(Clock::time_point now);
    void on_post_result(const PostResult& result, Clock::time_point now);
    void settle_reasons(Clock::time_point now);
    void on_disconnect(const event::Event& event, Clock::time_point now);
    void record_unseen_ends(const std::vector<SourceReport>& reports, Clock::time_point now);
    void add_record(SessionRecord record, Clock::time_point now);
    std::vector<SessionRecord> ready_records(std::size_t limit) const;

    Settings settings_;
    CycleParts parts_;
    std::unique_ptr<PanelClient> panel_;
    std::optional<PanelConfig> next_panel_;  // from a reload, once no POST is in flight
    Cadence cadence_;
    PanelBackoff backoff_;
    SourceHealth source_health_;
    ReasonWaits reason_waits_;
    EventOverlay overlay_;
    HandshakeRuns handshake_runs_;
    RateTracker rates_;
    EventSocketCounters event_socket_;

    bool dirty_ = true;  // the first cycle runs at once
    std::string next_trigger_ = "startup";
    std::vector<TriggerEvent> pending_events_;

    SourceQueries queries_;
    std::string cycle_trigger_;
    std::vector<TriggerEvent> cycle_events_;
    std::vector<SessionRecord> cycle_records_;  // in the POST in flight; acknowledged on 2xx
    RateLimit record_error_log_{std::chrono::seconds(60)};
    Clock::time_point cycle_started_{};
    CycleRecord record_;
};

}  // namespace omp

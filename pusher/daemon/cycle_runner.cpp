#include "daemon/cycle_runner.hpp"

#include <algorithm>
#include <set>

#include "base/log.hpp"
#include "core/merger.hpp"
#include "daemon/reload.hpp"

namespace omp {

namespace {

Cadence::Clock::duration as_duration(std::chrono::duration<double> interval) {
    return std::chrono::duration_cast<Cadence::Clock::duration>(interval);
}

std::set<std::string> source_names(const Settings& settings) {
    std::set<std::string> names;
    for (const auto& endpoint : settings.endpoints) names.insert(endpoint.name);
    return names;
}

}  // namespace

CycleRunner::CycleRunner(Settings settings, CycleParts parts, Clock::time_point now)
    : settings_(std::move(settings)),
      parts_(std::move(parts)),
      panel_(parts_.connect_panel(*settings_.panel)),
      cadence_(as_duration(settings_.interval), now) {
    parts_.open_sessions.keep_only(source_names(settings_));
}

void CycleRunner::on_event(const event::Event& e, Clock::time_point now) {
    overlay_.record(e, now);
    pending_events_.push_back(TriggerEvent{std::string(to_string(e.kind)), e.source,
                                           username_or_common_name(e.username, e.common_name),
                                           e.ts_us});
    if (e.kind == event::Kind::disconnect) on_disconnect(e, now);
    dirty_ = true;
}

void CycleRunner::on_disconnect(const event::Event& e, Clock::time_point now) {
    auto record = record_from_disconnect(e);
    if (parts_.open_sessions.end_by_event(record, e, parts_.epoch_now())) {
        add_record(std::move(record), now);
    } else if (const auto* pending = parts_.records.find(record.id)) {
        // A late event (a poll ended the session first, or the datagram came twice) still
        // brings OpenVPN's own figures to a record that is pending; once acknowledged, it
        // makes none. A count the event lacks stays as the pending record has it.
        take_missing_counters(record, e, *pending);
        add_record(std::move(record), now);
    }
}

// Sessions a complete poll no longer lists, with no event: their event was lost.
void CycleRunner::record_unseen_ends(const std::vector<SourceReport>& reports,
                                     Clock::time_point now) {
    auto epoch = parts_.epoch_now();
    for (const auto& report : reports) {
        for (auto& record : parts_.open_sessions.update(report, epoch)) {
            add_record(std::move(record), now);
        }
    }
    if (auto saved = parts_.open_sessions.save_if_due(epoch); !saved) {
        if (record_error_log_.allow(now)) log::error(saved.error().message);
    }
}

void CycleRunner::add_record(SessionRecord record, Clock::time_point now) {
    if (parts_.reasons->covers(record.source)) {
        // OpenVPN wrote most reasons before it called the hook; the rest may follow shortly.
        if (auto reason = parts_.reasons->reason_for(key_of(record), now, now)) {
            record.reason = *reason;
        } else {
            reason_waits_.start(record.id, now);
        }
    }
    if (auto added = parts_.records.add(std::move(record)); !added) {
        if (record_error_log_.allow(now)) log::error(added.error().message);
    }
}

void CycleRunner::advance(const std::vector<short>& revents, Clock::time_point now,
                          bool may_start) {
    advance_queries(revents, now);
    if (auto result = panel_->progress()) on_post_result(*result, now);
    if (next_panel_ && !panel_->in_flight()) {
        panel_ = parts_.connect_panel(*next_panel_);
        next_panel_.reset();
    }
    if (!reason_waits_.empty()) settle_reasons(now);
    if (cadence_.due(now)) dirty_ = true;
    if (may_start && dirty_ && idle() && now >= backoff_.retry_at()) start_cycle(now);
}

CycleRunner::Clock::time_point CycleRunner::next_wakeup() const {
    auto t = cadence_.next();
    for (const auto& q : queries_) t = std::min(t, q->deadline());
    if (dirty_ && idle()) t = std::min(t, backoff_.retry_at());
    if (auto deadline = reason_waits_.next_deadline()) t = std::min(t, *deadline);
    return t;
}

void CycleRunner::advance_queries(const std::vector<short>& revents, Clock::time_point now) {
    if (queries_.empty()) return;
    bool all_done = true;
    for (std::size_t i = 0; i < queries_.size(); ++i) {
        queries_[i]->advance(i < revents.size() ? revents[i] : 0, now);
        all_done = all_done && queries_[i]->finished();
    }
    if (all_done) finish_cycle(now);
}

void CycleRunner::start_cycle(Clock::time_point now) {
    dirty_ = false;
    parts_.records.sync();
    cycle_events_ = std::move(pending_events_);
    pending_events_.clear();
    cycle_trigger_ = !cycle_events_.empty() ? "event" : std::exchange(next_trigger_, "interval");
    cycle_started_ = now;
    queries_ = parts_.sources->start(now);
    advance_queries({}, now);  // a query may have finished (or failed) as it started
}

void CycleRunner::finish_cycle(Clock::time_point now) {
    std::vector<SourceReport> reports;
    for (auto& q : queries_) reports.push_back(q->take_report());
    queries_.clear();
    for (const auto& line : source_health_.update(reports, now)) log::write(line.level, line.text);
    record_unseen_ends(reports, now);  // before the overlay: what management itself listed
    handshake_runs_.update(reports);   // before the rates: a WireGuard session is keyed by its run
    rates_.update(reports, now);
    overlay_.apply(reports, now);
    PayloadContext context;
    context.trigger = cycle_trigger_;
    context.events = std::move(cycle_events_);
    cycle_events_.clear();
    cycle_records_ = ready_records(kRecordsPerPost);
    context.ended_sessions = cycle_records_;
    context.ended_sessions_dropped = parts_.records.dropped();
    context.event_socket = event_socket_;
    auto snapshot = merge_reports(std::move(reports));
    panel_->start(render_payload(snapshot, context));
    record_.polled(std::move(snapshot),
                   std::chrono::duration<double>(now - cycle_started_).count());
}

std::string CycleRunner::metrics_text() const {
    MetricsState state;
    state.snapshot = record_.snapshot();
    state.per_session = !settings_.metrics || settings_.metrics->per_session;
    state.posts_ok = record_.posts_ok();
    state.posts_error = record_.posts_failed();
    if (auto epoch = record_.last_success_epoch()) state.last_success_epoch = double(*epoch);
    state.records_pending = parts_.records.size();
    state.records_dropped = parts_.records.dropped();
    state.datagrams = event_socket_;
    state.cycles = &record_.durations();
    return render_metrics(state);
}

// The oldest records that may be posted: not those still waiting for their reason.
std::vector<SessionRecord> CycleRunner::ready_records(std::size_t limit) const {
    return parts_.records.pending(
        limit, [&](const std::string& id) { return !reason_waits_.waiting(id); });
}

void CycleRunner::on_post_result(const PostResult& result, Clock::time_point now) {
    record_.posted(result.ok, result.error, now, parts_.epoch_now());
    if (result.ok) {
        if (auto line = backoff_.succeeded(now)) log::info(*line);
        std::vector<std::string> acked;
        for (const auto& r : cycle_records_) acked.push_back(r.id);
        cycle_records_.clear();
        if (auto done = parts_.records.acknowledge(acked); !done) log::error(done.error().message);
        // More records ready: post them now, not in 2 s. Not those still waiting for their
        // reason: each would bring another POST at once, for as long as it waits.
        if (!ready_records(1).empty()) dirty_ = true;
        return;
    }
    cycle_records_.clear();
    dirty_ = true;  // the newest state is posted on the next try, never a stale one
    if (auto line = backoff_.failed(result, now, cadence_.interval())) {
        log::error(parts_.url_for_log(settings_.panel->url) + ": " + *line);
    }
}

// Records waiting for their log line get the reason once it is there, or stay `unknown` when
// the wait is over; either way they are then posted.
void CycleRunner::settle_reasons(Clock::time_point now) {
    auto exists = [&](const std::string& id) { return parts_.records.find(id) != nullptr; };
    auto lookup = [&](const std::string& id, Clock::time_point ended) {
        return parts_.reasons->reason_for(key_of(*parts_.records.find(id)), ended, now);
    };
    for (auto& settled : reason_waits_.settle(now, exists, lookup)) {
        if (settled.reason) {
            if (auto set = parts_.records.set_reason(settled.record_id, *settled.reason); !set) {
                log::error(set.error().message);
            }
        }
        dirty_ = true;
    }
}

void CycleRunner::reload(Result<Settings> fresh, Clock::time_point now) {
    if (!fresh) {
        log::error("reload failed, keeping the running settings: " + fresh.error().message);
        return;
    }
    auto plan = plan_reload(settings_, std::move(*fresh));
    for (const auto& warning : plan.warnings) log::warning(warning);
    parts_.records.set_capacity(plan.settings.max_records);
    parts_.open_sessions.keep_only(source_names(plan.settings));
    if (plan.interval_changed) cadence_.restart(as_duration(plan.settings.interval), now);
    next_panel_ = *plan.settings.panel;
    settings_ = std::move(plan.settings);
    parts_.sources->reconfigure(settings_);
    dirty_ = true;
    log::info("reloaded: " + std::to_string(settings_.endpoints.size()) + " endpoint(s), " +
              std::to_string(settings_.wg_interfaces.size()) +
              " WireGuard interface(s), posting to " + parts_.url_for_log(settings_.panel->url));
}

}  // namespace omp

#include "daemon.hpp"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <variant>

#include "event_listener.hpp"
#include "event_overlay.hpp"
#include "handshake_runs.hpp"
#include "journal_follower.hpp"
#include "log.hpp"
#include "merger.hpp"
#include "payload.hpp"
#include "ovpn_log.hpp"
#include "rate_tracker.hpp"
#include "rate_limit.hpp"
#include "session.hpp"
#include "session_records.hpp"
#include "sources.hpp"

namespace omp {

namespace {

using Clock = SteadyClock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// curl_multi_poll reports our descriptors with its own flags; MgmtQuery speaks poll(2)'s.
static_assert(CURL_WAIT_POLLIN == POLLIN && CURL_WAIT_POLLOUT == POLLOUT);

// Datagrams read per loop turn: a flood cannot starve the timers.
constexpr std::size_t kEventBudget = 256;
// Session records per POST: a backlog after an outage drains over a few POSTs.
constexpr std::size_t kRecordsPerPost = 500;
// How long a record waits for its instance's log to say why the session ended: OpenVPN
// writes some reasons (a replaced login, a shutdown) just after the disconnect hook.
constexpr auto kReasonWait = std::chrono::milliseconds(1500);

// An instance's log: a file OpenVPN writes with --log, or its unit's messages in the journal.
struct NamedLog {
    std::string instance;
    std::variant<LogFollower, JournalFollower> source;

    template <typename Fn>
    void read_new_lines(Fn&& line) {
        std::visit([&](auto& follower) { follower.read_new_lines(line); }, source);
    }
};

Result<NamedLog> open_log(const std::string& instance, const std::string& source) {
    if (source.starts_with(kJournalPrefix)) {
        auto journal = JournalFollower::open(source.substr(kJournalPrefix.size()));
        if (!journal) return journal.error();
        return NamedLog{instance, std::move(*journal)};
    }
    auto file = LogFollower::open(source);
    if (!file) return file.error();
    return NamedLog{instance, std::move(*file)};
}

class Daemon {
public:
    Daemon(const CurlLibrary& curl, Settings settings, SettingsReloader reload, std::unique_ptr<EventListener> listener,
           RecordStore records, std::vector<NamedLog> logs, int signal_fd)
        : curl_(curl),
          settings_(std::move(settings)),
          reload_(std::move(reload)),
          listener_(std::move(listener)),
          records_(std::move(records)),
          logs_(std::move(logs)),
          signal_fd_(signal_fd),
          sender_(std::make_unique<HttpSender>(curl_, *settings_.panel)),
          peer_files_(settings_.wg_peer_files, settings_.wg_peer_names),
          interval_(duration_cast<Clock::duration>(settings_.interval)),
          next_tick_(Clock::now() + interval_) {}

    int loop();

private:
    void read_signals(Clock::time_point now);
    void read_events(Clock::time_point now);
    void advance_queries(const std::vector<curl_waitfd>& fds, std::size_t first, Clock::time_point now);
    void start_cycle(Clock::time_point now);
    void finish_cycle(Clock::time_point now);
    void on_post_result(const PostResult& result, Clock::time_point now);
    void reload(Clock::time_point now);
    void read_logs(Clock::time_point now);
    void resolve_reasons(Clock::time_point now);
    bool has_log(const std::string& instance) const;
    void apply_panel_change();
    Clock::time_point next_wakeup() const;
    void notify_watchdog(Clock::time_point now);

    bool idle() const { return queries_.empty() && !sender_->in_flight(); }

    const CurlLibrary& curl_;
    Settings settings_;
    SettingsReloader reload_;
    std::unique_ptr<EventListener> listener_;
    RecordStore records_;
    std::vector<NamedLog> logs_;
    ReasonBook reasons_;
    struct ReasonWait {
        Clock::time_point ended;
        Clock::time_point deadline;
    };
    std::map<std::string, ReasonWait> reason_wait_;  // record id -> waiting for the log
    int signal_fd_;
    std::unique_ptr<HttpSender> sender_;
    std::optional<PanelConfig> next_panel_;  // from a reload, once no POST is in flight
    PeerNameFiles peer_files_;
    EventOverlay overlay_;
    HandshakeRuns handshake_runs_;
    RateTracker rates_;
    Clock::duration interval_;
    Clock::time_point next_tick_;

    bool stop_ = false;
    bool dirty_ = true;  // the first cycle runs at once
    std::string next_trigger_ = "startup";
    std::vector<TriggerEvent> pending_events_;

    SourceQueries queries_;
    std::string cycle_trigger_;
    std::vector<TriggerEvent> cycle_events_;
    std::vector<SessionRecord> cycle_records_;  // in the POST in flight; acked on 2xx

    // Panel failures: back off, capped at one interval, and log per episode.
    int failures_ = 0;
    Clock::time_point retry_at_{};
    std::string last_error_;  // the kind of the failure last logged
    Clock::time_point last_error_logged_{};
    RateLimit record_error_log_{std::chrono::seconds(60)};

    std::chrono::microseconds watchdog_usec_{0};
    Clock::time_point watchdog_due_{};
};

int Daemon::loop() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0) watchdog_usec_ = std::chrono::microseconds(usec);
    sd_notify(0, "READY=1\nSTATUS=listening for plugin events");
    log::info("listening on " + settings_.event_socket + ", posting to " + url_for_log(curl_, settings_.panel->url) +
              (records_.size() ? "; " + std::to_string(records_.size()) + " session record(s) waiting" : ""));

    while (!stop_) {
        std::vector<curl_waitfd> fds = {{signal_fd_, CURL_WAIT_POLLIN, 0},
                                        {listener_->fd(), CURL_WAIT_POLLIN, 0}};
        for (auto& q : queries_) fds.push_back({q->fd(), q->poll_events(), 0});

        auto now = Clock::now();
        auto wait = duration_cast<milliseconds>(next_wakeup() - now).count() + 1;
        int timeout = static_cast<int>(std::clamp<long long>(wait, 0, 60000));
        CURLMcode rc = curl_.multi_poll(sender_->multi_handle(), fds.data(), static_cast<unsigned>(fds.size()),
                                       timeout, nullptr);
        if (rc != CURLM_OK) {
            log::error(std::string("poll failed: ") + curl_.multi_strerror(rc));
            return 1;
        }
        now = Clock::now();
        if (fds[0].revents) read_signals(now);
        if (fds[1].revents) read_events(now);
        advance_queries(fds, 2, now);
        if (auto result = sender_->progress()) on_post_result(*result, now);
        if (next_panel_ && !sender_->in_flight()) apply_panel_change();
        if (!reason_wait_.empty()) resolve_reasons(now);

        if (now >= next_tick_) {
            dirty_ = true;
            while (next_tick_ <= now) next_tick_ += interval_;  // stay on the grid
        }
        if (!stop_ && dirty_ && idle() && now >= retry_at_) start_cycle(now);
        notify_watchdog(now);
    }
    records_.sync();  // what the panel has not acknowledged waits on disk for the next start
    sd_notify(0, "STOPPING=1");
    log::info("stopping" + (records_.size() ? "; " + std::to_string(records_.size()) +
                                                  " session record(s) kept in " + records_.path()
                                            : std::string()));
    return 0;
}

Clock::time_point Daemon::next_wakeup() const {
    auto t = next_tick_;
    for (const auto& q : queries_) t = std::min(t, q->deadline());
    if (dirty_ && idle()) t = std::min(t, retry_at_);
    if (watchdog_usec_.count() > 0) t = std::min(t, watchdog_due_);
    for (const auto& [id, wait] : reason_wait_) t = std::min(t, wait.deadline);
    return t;
}

void Daemon::read_signals(Clock::time_point now) {
    signalfd_siginfo info{};
    while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) stop_ = true;
        if (info.ssi_signo == SIGHUP) reload(now);
    }
}

void Daemon::read_events(Clock::time_point now) {
    std::vector<event::Event> events;
    listener_->drain(events, kEventBudget);
    for (const auto& e : events) {
        overlay_.record(e, now);
        pending_events_.push_back(TriggerEvent{std::string(to_string(e.kind)), e.instance,
                                               username_or_common_name(e.username, e.common_name), e.ts_us});
        if (e.kind == event::Kind::disconnect) {
            SessionRecord record = record_from_disconnect(e);
            if (has_log(record.instance)) {
                read_logs(now);  // OpenVPN wrote most reasons before it called the hook
                if (auto reason = reasons_.reason_for(record.instance, record.common_name, record.client_ip,
                                                      record.client_port, now)) {
                    record.reason = *reason;
                } else {
                    reason_wait_[record.id] = ReasonWait{now, now + kReasonWait};
                }
            }
            if (auto added = records_.add(std::move(record)); !added) {
                if (auto held = record_error_log_.allow(now)) log::error(added.error().message);
            }
        }
        dirty_ = true;
    }
}

void Daemon::advance_queries(const std::vector<curl_waitfd>& fds, std::size_t first, Clock::time_point now) {
    if (queries_.empty()) return;
    bool all_done = true;
    for (std::size_t i = 0; i < queries_.size(); ++i) {
        queries_[i]->advance(fds[first + i].revents, now);
        all_done = all_done && queries_[i]->finished();
    }
    if (all_done) finish_cycle(now);
}

void Daemon::start_cycle(Clock::time_point now) {
    dirty_ = false;
    records_.sync();
    cycle_events_ = std::move(pending_events_);
    pending_events_.clear();
    cycle_trigger_ = !cycle_events_.empty() ? "event" : std::exchange(next_trigger_, "interval");
    if (auto names = peer_files_.refresh(); !names) log::error(names.error().message);
    queries_ = start_source_queries(settings_, peer_files_.names(), now);
    // A query may finish (or fail) inside its constructor, e.g. on a refused connect.
    std::vector<curl_waitfd> none(2 + queries_.size(), curl_waitfd{-1, 0, 0});
    advance_queries(none, 2, now);
}

void Daemon::finish_cycle(Clock::time_point now) {
    std::vector<SourceReport> reports;
    for (auto& q : queries_) reports.push_back(q->take_report());
    queries_.clear();
    for (const auto& r : reports) {
        if (!r.ok) log::warning("source " + r.name + ": " + r.error);
    }
    handshake_runs_.update(reports);  // before the rates: a WireGuard session is keyed by its run
    rates_.update(reports, now);
    overlay_.apply(reports, now);
    PayloadContext context;
    context.trigger = cycle_trigger_;
    context.events = std::move(cycle_events_);
    cycle_events_.clear();
    cycle_records_ = records_.pending(kRecordsPerPost, [&](const std::string& id) { return !reason_wait_.count(id); });
    context.ended_sessions = cycle_records_;
    context.ended_sessions_dropped = records_.dropped();
    const auto& c = listener_->counters();
    context.event_socket = EventSocketCounters{c.accepted, c.foreign_sender, c.malformed};
    sender_->start(render_payload(merge_reports(std::move(reports)), context));
}

void Daemon::on_post_result(const PostResult& result, Clock::time_point now) {
    if (result.ok) {
        if (failures_ > 0) log::info("panel accepts posts again after " + std::to_string(failures_) + " failed");
        failures_ = 0;
        last_error_.clear();
        retry_at_ = now;
        std::vector<std::string> acked;
        for (const auto& r : cycle_records_) acked.push_back(r.id);
        cycle_records_.clear();
        if (auto done = records_.acknowledge(acked); !done) log::error(done.error().message);
        if (records_.size() > 0) dirty_ = true;  // more waiting: post them now, not in 2 s
        return;
    }
    cycle_records_.clear();
    ++failures_;
    auto backoff = milliseconds(250) * (1 << std::min(failures_, 10));
    retry_at_ = now + std::min<Clock::duration>(backoff, interval_);
    dirty_ = true;  // the newest state is posted on the next try, never a stale one
    // Once per episode, and a reminder every ten minutes: not a line every two seconds.
    if (result.kind != last_error_ || now - last_error_logged_ > std::chrono::minutes(10)) {
        log::error(url_for_log(curl_, settings_.panel->url) + ": " + result.error +
                   (failures_ > 1 ? " (" + std::to_string(failures_) + " failures in a row)" : ""));
        last_error_ = result.kind;
        last_error_logged_ = now;
    }
}

// SIGHUP: the new settings take effect without dropping the event socket, the overlay, the
// pending events or the session records. What cannot change in flight is said, not guessed.
void Daemon::reload(Clock::time_point now) {
    auto fresh = reload_();
    if (!fresh) {
        log::error("reload failed, keeping the running settings: " + fresh.error().message);
        return;
    }
    for (const auto& warning : fresh->warnings) log::warning(warning);
    if (fresh->event_socket != settings_.event_socket || fresh->event_user != settings_.event_user ||
        fresh->state_dir != settings_.state_dir || fresh->ovpn_logs != settings_.ovpn_logs) {
        log::warning("the event socket, its user, the state directory and the OpenVPN logs change only on restart");
        fresh->event_socket = settings_.event_socket;
        fresh->event_user = settings_.event_user;
        fresh->state_dir = settings_.state_dir;
        fresh->ovpn_logs = settings_.ovpn_logs;
    }
    records_.set_capacity(fresh->max_records);
    if (fresh->interval != settings_.interval) {
        interval_ = duration_cast<Clock::duration>(fresh->interval);
        next_tick_ = now + interval_;
    }
    next_panel_ = *fresh->panel;
    settings_ = std::move(*fresh);
    peer_files_ = PeerNameFiles(settings_.wg_peer_files, settings_.wg_peer_names);
    dirty_ = true;
    log::info("reloaded: " + std::to_string(settings_.endpoints.size()) + " endpoint(s), " +
              std::to_string(settings_.wg_interfaces.size()) + " WireGuard interface(s), posting to " +
              url_for_log(curl_, settings_.panel->url));
}

bool Daemon::has_log(const std::string& instance) const {
    return std::any_of(logs_.begin(), logs_.end(), [&](const NamedLog& l) { return l.instance == instance; });
}

void Daemon::read_logs(Clock::time_point now) {
    for (auto& log : logs_) {
        log.read_new_lines([&](std::string_view line) {
            if (auto hint = classify_log_line(line)) reasons_.add(log.instance, std::move(*hint), now);
        });
    }
    reasons_.forget_before(now - std::chrono::minutes(1));
}

// Records still waiting for their log line: give them the reason once it is there, or leave
// them `unknown` when the wait is over; either way they are then posted.
void Daemon::resolve_reasons(Clock::time_point now) {
    read_logs(now);
    for (auto it = reason_wait_.begin(); it != reason_wait_.end();) {
        const SessionRecord* record = records_.find(it->first);
        std::optional<std::string> reason;
        if (record) {
            reason = reasons_.reason_for(record->instance, record->common_name, record->client_ip,
                                         record->client_port, it->second.ended);
        }
        if (record && reason) {
            if (auto set = records_.set_reason(it->first, *reason); !set) log::error(set.error().message);
        }
        if (!record || reason || now >= it->second.deadline) {
            it = reason_wait_.erase(it);
            dirty_ = true;
        } else {
            ++it;
        }
    }
}

void Daemon::apply_panel_change() {
    sender_ = std::make_unique<HttpSender>(curl_, std::move(*next_panel_));
    next_panel_.reset();
}

void Daemon::notify_watchdog(Clock::time_point now) {
    if (watchdog_usec_.count() == 0 || now < watchdog_due_) return;
    sd_notify(0, "WATCHDOG=1");
    watchdog_due_ = now + watchdog_usec_ / 2;
}

int blocked_signal_fd() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

}  // namespace

void keep_cycle_memory_mapped() {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

int run_daemon(const CurlLibrary& curl, const Settings& settings, SettingsReloader reload) {
    keep_cycle_memory_mapped();
    int signal_fd = blocked_signal_fd();
    if (signal_fd < 0) {
        log::error(std::string("signalfd: ") + std::strerror(errno));
        return 1;
    }
    auto records = RecordStore::open(settings.state_dir, settings.max_records);
    if (!records) {
        log::error(records.error().message);
        close(signal_fd);
        return 1;
    }
    if (records->unreadable_lines() > 0) {
        log::warning(std::to_string(records->unreadable_lines()) + " unreadable line(s) in " + records->path() +
                     " skipped");
    }
    std::vector<NamedLog> logs;
    for (const auto& [instance, source] : settings.ovpn_logs) {
        auto opened = open_log(instance, source);
        if (!opened) {
            log::error(opened.error().message);
            close(signal_fd);
            return 1;
        }
        logs.push_back(std::move(*opened));
    }
    auto listener = EventListener::open(settings.event_socket, settings.event_user);
    if (!listener) {
        log::error(listener.error().message);
        close(signal_fd);
        return 1;
    }
    int status = Daemon(curl, settings, std::move(reload), std::move(*listener), std::move(*records), std::move(logs),
                        signal_fd)
                     .loop();
    close(signal_fd);
    return status;
}

}  // namespace omp

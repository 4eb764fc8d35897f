#include "daemon/daemon.hpp"

#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/log.hpp"
#include "daemon/event_listener.hpp"
#include "daemon/service_status.hpp"
#include "daemon/watchdog.hpp"
#include "metrics/metrics_server.hpp"
#include "mgmt_proxy/proxy_server.hpp"

namespace omp {

namespace {

using Clock = SteadyClock;

std::chrono::microseconds watchdog_period() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0) return std::chrono::microseconds(usec);
    return std::chrono::microseconds(0);
}

std::string records_note(RecordStore& records, const std::string& what) {
    if (records.size() == 0) return {};
    return "; " + std::to_string(records.size()) + " session record(s) " + what;
}

// What the daemon serves besides its POSTs, each optional.
struct Listeners {
    std::unique_ptr<MetricsServer> metrics;
    std::vector<std::unique_ptr<MgmtProxy>> proxies;
};

// The only owner of descriptors: the signalfd, the event socket, the listeners, and (through
// the runner's seams) the source queries and the HTTP transfer.
class Loop {
  public:
    Loop(int signal_fd, EventListener& listener, CycleRunner& runner, SettingsReloader reload,
         Listeners& listeners)
        : signal_fd_(signal_fd),
          listener_(listener),
          runner_(runner),
          listeners_(listeners),
          reload_(std::move(reload)) {}

    int run();
    // The longest time from a wait's return to the next wait: how late an event can be read.
    Clock::duration longest_turn() const { return longest_turn_; }

  private:
    // Where each part's descriptors are in the pollfds of one wait.
    struct Layout {
        std::size_t queries_end = 0;
        std::vector<std::size_t> proxy_counts;
    };
    std::vector<pollfd> descriptors(Layout& layout) const;
    void serve_proxies(const std::vector<pollfd>& fds, const Layout& layout, Clock::time_point now);
    std::chrono::milliseconds timeout(Clock::time_point now) const;
    void read_signals(Clock::time_point now);
    void read_events(Clock::time_point now);

    int signal_fd_;
    EventListener& listener_;
    CycleRunner& runner_;
    Listeners& listeners_;
    SettingsReloader reload_;
    Watchdog watchdog_{watchdog_period()};
    bool stop_ = false;
    Clock::duration longest_turn_{};
    std::uint64_t posts_reported_ = 0;  // the POSTs systemd's STATUS= has seen
};

int Loop::run() {
    while (!stop_) {
        Layout layout;
        auto fds = descriptors(layout);
        if (auto waited = runner_.panel().wait(fds, timeout(Clock::now())); !waited) {
            log::error(waited.error().message);
            return 1;
        }
        auto now = Clock::now();
        if (fds[0].revents) read_signals(now);
        if (fds[1].revents) read_events(now);
        std::vector<short> query_revents;
        for (std::size_t i = 2; i < layout.queries_end; ++i)
            query_revents.push_back(fds[i].revents);
        runner_.advance(query_revents, now, !stop_);
        // After the cycle's step: a poll that just finished is what the proxies replay.
        serve_proxies(fds, layout, now);
        // Every turn, not only when its descriptor is ready: libmicrohttpd also closes idle
        // connections on time. It never blocks: a stalled scraper holds only its connection.
        if (listeners_.metrics) listeners_.metrics->run();
        if (runner_.last_cycles().posts_finished() != posts_reported_) {
            posts_reported_ = runner_.last_cycles().posts_finished();
            auto status = service_status(runner_.last_cycles(), runner_.records().size(), now);
            sd_notify(0, ("STATUS=" + status).c_str());
        }
        if (watchdog_.due(now)) sd_notify(0, "WATCHDOG=1");
        longest_turn_ = std::max(longest_turn_, Clock::now() - now);
    }
    return 0;
}

std::vector<pollfd> Loop::descriptors(Layout& layout) const {
    std::vector<pollfd> fds = {{signal_fd_, POLLIN, 0}, {listener_.fd(), POLLIN, 0}};
    for (const auto& q : runner_.queries()) fds.push_back({q->fd(), q->poll_events(), 0});
    layout.queries_end = fds.size();
    for (const auto& proxy : listeners_.proxies) {
        std::size_t before = fds.size();
        proxy->descriptors(fds);
        layout.proxy_counts.push_back(fds.size() - before);
    }
    if (listeners_.metrics) fds.push_back({listeners_.metrics->fd(), POLLIN, 0});
    return fds;
}

void Loop::serve_proxies(const std::vector<pollfd>& fds, const Layout& layout,
                         Clock::time_point now) {
    std::size_t at = layout.queries_end;
    for (std::size_t i = 0; i < listeners_.proxies.size(); ++i) {
        auto& proxy = *listeners_.proxies[i];
        proxy.serve(&fds[at], layout.proxy_counts[i],
                    runner_.last_cycles().transcript(proxy.config().instance), now);
        at += layout.proxy_counts[i];
    }
}

std::chrono::milliseconds Loop::timeout(Clock::time_point now) const {
    auto next = runner_.next_wakeup();
    if (auto keepalive = watchdog_.next()) next = std::min(next, *keepalive);
    for (const auto& proxy : listeners_.proxies) {
        if (auto idle = proxy->next_deadline()) next = std::min(next, *idle);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
    if (listeners_.metrics) {
        if (auto metrics = listeners_.metrics->timeout())
            wait = std::min<long long>(wait, metrics->count());
    }
    return std::chrono::milliseconds(std::clamp<long long>(wait, 0, 60000));
}

void Loop::read_signals(Clock::time_point now) {
    signalfd_siginfo info{};
    while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) stop_ = true;
        if (info.ssi_signo == SIGHUP) runner_.reload(reload_(), now);
    }
}

void Loop::read_events(Clock::time_point now) {
    std::vector<event::Event> events;
    listener_.drain(events, CycleRunner::kEventBudget);
    for (const auto& e : events) runner_.on_event(e, now);
    const auto& c = listener_.counters();
    runner_.set_event_socket_counters(
        EventSocketCounters{c.accepted, c.foreign_sender, c.malformed});
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

// Opens what the daemon holds for its whole life; the error names what failed.
Result<CycleParts> open_parts(const Http& http, const Settings& settings,
                              std::unique_ptr<SourcePoller> sources) {
    auto records = RecordStore::open(settings.state_dir, settings.max_records);
    if (!records) return records.error();
    if (records->unreadable_lines() > 0) {
        log::warning(std::to_string(records->unreadable_lines()) + " unreadable line(s) in " +
                     records->path() + " skipped");
    }
    auto open_sessions = OpenSessions::open(settings.state_dir);
    if (!open_sessions) return open_sessions.error();
    auto reasons = LogReasons::open(settings.ovpn_logs);
    if (!reasons) return reasons.error();
    return CycleParts{std::move(sources),
                      [&http](const PanelConfig& panel) { return http.client(panel); },
                      [&http](const std::string& url) { return http.url_for_log(url); },
                      std::move(*records),
                      std::move(*open_sessions),
                      std::make_unique<LogReasons>(std::move(*reasons))};
}

// The metrics server and the management proxies the settings ask for; each says where it is.
Result<Listeners> open_listeners(const Settings& settings, CycleRunner& runner) {
    Listeners listeners;
    if (settings.metrics) {
        auto started =
            MetricsServer::start(*settings.metrics, [&runner] { return runner.metrics_text(); });
        if (!started) return started.error();
        listeners.metrics = std::move(*started);
        log::info("serving metrics at http://" + settings.metrics->address + "/metrics" +
                  (settings.metrics->user.empty() ? "" : " (Basic auth)"));
    }
    for (const auto& config : settings.mgmt_proxies) {
        auto proxy = MgmtProxy::open(config);
        if (!proxy) return proxy.error();
        listeners.proxies.push_back(std::move(*proxy));
        log::info("read-only management proxy for " + config.instance + " at " + config.address +
                  (config.password ? " (password)" : ""));
    }
    return listeners;
}

}  // namespace

namespace {

// The plugin's send wakes this daemon from inside OpenVPN's only thread. A woken task of the
// normal policy may preempt the task that woke it, on its CPU, at once: then OpenVPN's hook
// lasts as long as this daemon's loop turn. SCHED_BATCH tasks never preempt on wakeup; they
// run when a CPU is free or at the next tick, a few milliseconds later at worst. The unit sets
// it too (CPUSchedulingPolicy=batch), before its system call filter forbids this call.
void never_preempt_openvpn() {
    sched_param param{};
    param.sched_priority = 0;
    sched_setscheduler(0, SCHED_BATCH, &param);
}

}  // namespace

void keep_cycle_memory_mapped() {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

int run_daemon(const Http& http, const Settings& settings, SettingsReloader reload,
               std::unique_ptr<SourcePoller> sources) {
    keep_cycle_memory_mapped();
    never_preempt_openvpn();
    int signal_fd = blocked_signal_fd();
    if (signal_fd < 0) {
        log::error(std::string("signalfd: ") + std::strerror(errno));
        return 1;
    }
    auto parts = open_parts(http, settings, std::move(sources));
    auto listener = parts ? EventListener::open(settings.event_socket, settings.event_user)
                          : Result<std::unique_ptr<EventListener>>(parts.error());
    if (!listener) {
        log::error(listener.error().message);
        close(signal_fd);
        return 1;
    }
    CycleRunner runner(settings, std::move(*parts), Clock::now());
    auto listeners = open_listeners(settings, runner);
    if (!listeners) {
        log::error(listeners.error().message);
        close(signal_fd);
        return 1;
    }
    sd_notify(0, "READY=1\nSTATUS=listening for plugin events");
    log::info("listening on " + settings.event_socket + ", posting to " +
              http.url_for_log(settings.panel->url) + records_note(runner.records(), "waiting"));
    Loop loop(signal_fd, **listener, runner, std::move(reload), *listeners);
    int status = loop.run();
    // What the panel has not acknowledged, and what is open, wait on disk for the next start.
    runner.records().sync();
    if (auto saved = runner.open_sessions().save(); !saved) log::error(saved.error().message);
    sd_notify(0, "STOPPING=1");
    auto longest_ms = std::chrono::duration<double, std::milli>(loop.longest_turn()).count();
    log::info("stopping" + records_note(runner.records(), "kept in " + runner.records().path()) +
              "; longest loop turn " + std::to_string(static_cast<long>(longest_ms)) + " ms");
    close(signal_fd);
    return status;
}

}  // namespace omp

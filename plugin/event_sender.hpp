// The plugin's logic, in plain C++ that unit tests drive without OpenVPN: parse the plugin's
// arguments, and on each client event send one datagram to the aggregator without blocking.
//
// Everything that runs inside OpenVPN's only thread is noexcept, allocation-free and does one
// non-blocking send: monitoring must never delay or deny a client.
#pragma once

#include <openvpn/openvpn-plugin.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "event/event_datagram.hpp"

namespace omp::plugin {

inline constexpr const char* kPluginName = "mgmt-push";

struct PluginArgs {
    std::string source;
    std::string socket_path = event::kDefaultSocketPath;
};

// `words` are the directive's words after the library path (argv[1..], NULL-terminated).
// The error names the offending word.
Result<PluginArgs> parse_args(const char* const* words);

// Reports send failures through OpenVPN's log at most once a minute, with a count.
class DropReporter {
  public:
    explicit DropReporter(plugin_log_t log) : log_(log) {}
    void failed(int err, const char* socket_path, std::int64_t now_s) noexcept;
    void succeeded(const char* socket_path) noexcept;
    std::uint64_t dropped_total() const { return dropped_total_; }

    static constexpr std::int64_t kIntervalSeconds = 60;

  private:
    plugin_log_t log_;
    std::uint64_t dropped_total_ = 0;
    std::uint64_t dropped_unreported_ = 0;
    std::int64_t last_report_s_ = 0;
    bool failing_ = false;
};

class EventSender {
  public:
    // Opens a datagram socket and connects it to the aggregator's (as root, at OpenVPN's
    // start), so a hook's send skips the path lookup: about a microsecond here, a sixth of the
    // whole send. A missing aggregator is connected to at the first event after it appears.
    static Result<EventSender*> create(const PluginArgs& args, plugin_log_t log) noexcept;
    ~EventSender();
    EventSender(const EventSender&) = delete;
    EventSender& operator=(const EventSender&) = delete;

    // Builds the datagram from OpenVPN's environment and sends it; never blocks, never fails.
    void on_client_event(event::Kind kind, const char* const* envp) noexcept;

    std::uint64_t sent() const { return sent_; }
    std::uint64_t dropped() const { return drops_.dropped_total(); }

  private:
    EventSender(const PluginArgs& args, int fd, plugin_log_t log);

    // 0, or the errno of the failed send. Reconnects by path, once, when the socket has no live
    // peer: never connected, or the aggregator restarted (its old socket is gone).
    int send_datagram(const char* data, std::size_t size) noexcept;
    bool connect_to_aggregator() noexcept;

    std::string source_;
    std::string socket_path_;
    std::string sender_key_;  // empty when it could not be read: the daemon drops the events
    sockaddr_un address_{};
    socklen_t address_len_ = 0;
    int fd_ = -1;
    bool connected_ = false;
    std::uint64_t sent_ = 0;
    DropReporter drops_;
};

// Fills `fields` from OpenVPN's client environment ("name=value" strings), in one pass.
void read_client_env(const char* const* envp, event::EventFields& fields) noexcept;

}  // namespace omp::plugin

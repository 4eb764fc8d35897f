#include "plugin/event_sender.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "event/sender_key.hpp"

namespace omp::plugin {

namespace {

std::int64_t clock_seconds(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return ts.tv_sec;
}

std::int64_t realtime_us() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace

Result<PluginArgs> parse_args(const char* const* words) {
    PluginArgs args;
    bool have_source = false;
    for (; words && *words; ++words) {
        std::string_view word(*words);
        std::size_t eq = word.find('=');
        if (eq == std::string_view::npos) {
            return error("argument `" + std::string(word) +
                         "' is not key=value (keys: instance, socket)");
        }
        std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
        if (key == "instance") {
            if (!event::valid_source_name(value)) {
                return error("instance `" + std::string(value) +
                             "' must be 1-32 characters of A-Z a-z 0-9 . _ -");
            }
            args.source = value;
            have_source = true;
        } else if (key == "socket") {
            if (value.empty() || value.front() != '/' ||
                value.size() >= sizeof(sockaddr_un::sun_path)) {
                return error("socket `" + std::string(value) + "' must be an absolute path under " +
                             std::to_string(sizeof(sockaddr_un::sun_path)) + " bytes");
            }
            args.socket_path = value;
        } else {
            return error("unknown argument `" + std::string(word) + "' (keys: instance, socket)");
        }
    }
    if (!have_source) return error("missing argument instance=NAME (e.g. instance=udp)");
    return args;
}

void DropReporter::failed(int err, const char* socket_path, std::int64_t now_s) noexcept {
    ++dropped_total_;
    ++dropped_unreported_;
    bool first = !failing_;
    failing_ = true;
    if (!first && now_s - last_report_s_ < kIntervalSeconds) return;
    last_report_s_ = now_s;
    if (log_) {
        errno = err;
        log_(static_cast<openvpn_plugin_log_flags_t>(PLOG_WARN | PLOG_ERRNO), kPluginName,
             "cannot send event to ovpn-mgmt-push at %s; %llu event(s) dropped since last "
             "report (clients are not affected)",
             socket_path, static_cast<unsigned long long>(dropped_unreported_));
    }
    dropped_unreported_ = 0;
}

void DropReporter::succeeded(const char* socket_path) noexcept {
    if (!failing_) return;
    failing_ = false;
    if (log_) {
        log_(PLOG_NOTE, kPluginName,
             "events reach ovpn-mgmt-push at %s again (%llu dropped in all)", socket_path,
             static_cast<unsigned long long>(dropped_total_));
    }
    dropped_unreported_ = 0;
}

Result<EventSender*> EventSender::create(const PluginArgs& args, plugin_log_t log) noexcept {
    try {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return error(std::string("socket(AF_UNIX, SOCK_DGRAM): ") + std::strerror(errno));
        auto* sender = new (std::nothrow) EventSender(args, fd, log);
        if (!sender) {
            close(fd);
            return error("out of memory");
        }
        sender->connect_to_aggregator();  // may not run yet: then at the first event
        // Read now, as root: after OpenVPN drops privileges the file is out of reach. Without
        // it the events are dropped by the daemon (which says why), never the client.
        auto key = event::load_or_create_sender_key(event::sender_key_path(args.socket_path));
        if (key) {
            sender->sender_key_ = std::move(*key);
        } else if (log) {
            log(PLOG_ERR, kPluginName, "%s; the aggregator will drop this server's events",
                key.error().message.c_str());
        }
        return sender;
    } catch (...) {
        return error("out of memory");
    }
}

EventSender::EventSender(const PluginArgs& args, int fd, plugin_log_t log)
    : source_(args.source), socket_path_(args.socket_path), fd_(fd), drops_(log) {
    address_.sun_family = AF_UNIX;
    std::memcpy(address_.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
    address_len_ =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size() + 1);
}

EventSender::~EventSender() {
    if (fd_ >= 0) close(fd_);
}

namespace {

struct WantedVariable {
    std::string_view name;
    std::string_view event::EventFields::*field;
};

// Grouped by first letter (checked below), so a variable is compared only with its group.
constexpr WantedVariable kWanted[] = {
    {"bytes_received", &event::EventFields::bytes_received},
    {"bytes_sent", &event::EventFields::bytes_sent},
    {"common_name", &event::EventFields::common_name},
    {"ifconfig_pool_remote_ip", &event::EventFields::virtual_ip},
    {"ifconfig_pool_remote_ip6", &event::EventFields::virtual_ipv6},
    {"time_unix", &event::EventFields::connected_at},
    {"time_duration", &event::EventFields::duration},
    {"trusted_ip", &event::EventFields::real_ip},
    {"trusted_ip6", &event::EventFields::real_ip},
    {"trusted_port", &event::EventFields::real_port},
    {"username", &event::EventFields::username},
};

// kGroups[c - 'a'] to kGroups[c - 'a' + 1]: the wanted names that start with c.
constexpr auto kGroups = [] {
    std::array<std::uint8_t, 27> starts{};
    for (const auto& w : kWanted) ++starts[w.name[0] - 'a' + 1];
    for (std::size_t c = 1; c < starts.size(); ++c) starts[c] += starts[c - 1];
    return starts;
}();

static_assert(
    [] {
        for (std::size_t i = 0; i < std::size(kWanted); ++i) {
            auto c = static_cast<std::size_t>(kWanted[i].name[0] - 'a');
            if (i < kGroups[c] || i >= kGroups[c + 1]) return false;
        }
        return true;
    }(),
    "kWanted must be grouped by first letter");

// Whether `entry` is "name=...". Stops at the first byte that differs, so it never reads past
// the entry's NUL.
bool has_name(const char* entry, std::string_view name) {
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (entry[i] != name[i]) return false;
    }
    return entry[name.size()] == '=';
}

}  // namespace

void read_client_env(const char* const* envp, event::EventFields& f) noexcept {
    // OpenVPN's connect environment holds about a hundred variables, most of them long (X.509
    // subjects, digests, IV_ peer info) and cold in cache when the hook runs. Each is passed
    // over after its first byte unless that byte starts a wanted name; a candidate is compared
    // only with the names of its first letter, byte by byte, inline.
    for (; envp && *envp; ++envp) {
        const char* entry = *envp;
        unsigned letter = static_cast<unsigned char>(entry[0]) - 'a';
        if (letter >= 26) continue;
        for (std::size_t i = kGroups[letter]; i < kGroups[letter + 1]; ++i) {
            if (has_name(entry, kWanted[i].name)) {
                f.*(kWanted[i].field) = std::string_view(entry + kWanted[i].name.size() + 1);
                break;
            }
        }
    }
}

void EventSender::on_client_event(event::Kind kind, const char* const* envp) noexcept {
    event::EventFields fields;
    fields.kind = kind;
    fields.source = source_;
    fields.ts_us = realtime_us();
    fields.sender_key = sender_key_;
    read_client_env(envp, fields);

    std::array<char, event::kMaxDatagram> buffer;
    std::size_t size = event::encode(fields, buffer);
    if (int err = send_datagram(buffer.data(), size)) {
        drops_.failed(err, socket_path_.c_str(), clock_seconds(CLOCK_MONOTONIC_COARSE));
        return;
    }
    ++sent_;
    drops_.succeeded(socket_path_.c_str());
}

bool EventSender::connect_to_aggregator() noexcept {
    connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&address_), address_len_) == 0;
    return connected_;
}

int EventSender::send_datagram(const char* data, std::size_t size) noexcept {
    if (!connected_ && !connect_to_aggregator()) return errno;
    if (send(fd_, data, size, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return 0;
    // ECONNREFUSED: the peer socket was closed (the kernel has now dissolved the connection);
    // a restarted aggregator listens on a new socket at the same path. Any other error (EAGAIN
    // from a full queue above all) leaves the connection as it is.
    if (errno != ECONNREFUSED && errno != ENOTCONN) return errno;
    if (!connect_to_aggregator()) return errno;
    return send(fd_, data, size, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0 ? 0 : errno;
}

}  // namespace omp::plugin

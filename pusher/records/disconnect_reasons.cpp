#include "records/disconnect_reasons.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/real_address.hpp"

namespace omp {

namespace {

// "2026-11-26 00:06:01 " from --log files; journal lines have no timestamp of their own.
std::string_view strip_timestamp(std::string_view line) {
    if (line.size() > 20 && line[4] == '-' && line[7] == '-' && line[10] == ' ' &&
        line[13] == ':' && line[16] == ':' && line[19] == ' ') {
        return line.substr(20);
    }
    return line;
}

// A client chooses text that OpenVPN logs: its username (the common name too, with
// username-as-common-name), its peer info. So a reason is read only where OpenVPN writes it:
// at the start of the line, or of the message after the session's own prefix
// "NAME/ADDRESS:PORT "; never anywhere in a line. A line that splits into prefix and message in
// more than one way is ambiguous and gives nothing.

std::optional<RealAddress> prefix_address(std::string_view address) {
    for (std::string_view family : {"[AF_INET6]", "[AF_INET]"}) {
        if (address.starts_with(family)) address.remove_prefix(family.size());
    }
    auto real = parse_real_address(address);
    if (!real || !real->port) return std::nullopt;
    return real;
}

struct Prefixed {
    std::string_view common_name;
    RealAddress address;
    std::string_view message;
};

// The one way `line` is "NAME/ADDRESS:PORT MESSAGE" with `fits(NAME, MESSAGE)`.
template <typename Fits>
std::optional<Prefixed> split_session_prefix(std::string_view line, Fits&& fits) {
    std::optional<Prefixed> found;
    for (auto space = line.find(' '); space != std::string_view::npos;
         space = line.find(' ', space + 1)) {
        std::string_view prefix = line.substr(0, space);
        auto slash = prefix.rfind('/');
        if (slash == std::string_view::npos || slash == 0) continue;
        auto address = prefix_address(prefix.substr(slash + 1));
        std::string_view message = line.substr(space + 1);
        if (!address || !fits(prefix.substr(0, slash), message)) continue;
        if (found) return std::nullopt;  // ambiguous
        found = Prefixed{prefix.substr(0, slash), *address, message};
    }
    return found;
}

// A message that names a client: MARKER + NAME, alone on the line or after the prefix of that
// same client's session (OpenVPN writes the name twice then: "NAME/ADDR:PORT MARKER NAME").
std::optional<std::string_view> named_client(std::string_view text, std::string_view marker) {
    std::optional<std::string_view> named;
    int ways = 0;
    if (text.starts_with(marker)) {
        named = text.substr(marker.size());
        ++ways;
    }
    auto prefixed =
        split_session_prefix(text, [&](std::string_view name, std::string_view message) {
            return message.starts_with(marker) && message.substr(marker.size()) == name;
        });
    if (prefixed) {
        named = prefixed->common_name;
        ++ways;
    }
    if (ways != 1) return std::nullopt;
    return named;
}

// The reason a signal gives: "SIGTERM[soft,remote-exit] received, client-instance exiting".
std::optional<std::string> signal_reason(std::string_view message) {
    for (std::string_view sig : {"SIGTERM[soft,", "SIGUSR1[soft,", "SIGHUP[soft,"}) {
        if (!message.starts_with(sig)) continue;
        auto rest = message.substr(sig.size());
        auto close = rest.find("] received, client-instance ");
        if (close == std::string_view::npos) return std::nullopt;
        auto why = rest.substr(0, close);
        if (why == "delayed-exit" || why == "remote-exit") return "client-exit";
        if (why == "ping-restart" || why == "ping-exit") return "ping-timeout";
        if (why == "connection-reset") return "connection-reset";
        if (why == "tls-error") return "tls-error";
        // `kill` over the management interface signals the instance with no reason text.
        if (why.empty() && sig == "SIGTERM[soft,") return "kicked";
        return std::nullopt;
    }
    return std::nullopt;
}

// The reason a session's own message gives, read from its start. OpenVPN 2.6's own words.
std::optional<std::string> session_reason(std::string_view message) {
    if (auto reason = signal_reason(message)) return reason;
    // "CC-EEN exit message received by peer": one word, then OpenVPN's text.
    auto word = message.find(' ');
    if (word != std::string_view::npos &&
        message.substr(word + 1).starts_with("exit message received by peer")) {
        return "client-exit";
    }
    if (message.starts_with("Connection reset, ")) return "connection-reset";
    if (message.starts_with("TLS Error: ")) return "tls-error";
    return std::nullopt;
}

constexpr std::string_view kReplacedMarker = "MULTI: new connection by client '";
constexpr std::string_view kReplacedEnd =
    "' will cause previous active sessions by this client to be dropped.";
constexpr std::string_view kInactivityMarker = "[";
constexpr std::string_view kInactivityEnd = "] Inactivity timeout (--ping-";

// "MULTI: new connection by client 'alice' will cause previous active sessions ... dropped."
std::optional<ReasonHint> replaced_hint(std::string_view line) {
    // Only OpenVPN's fixed text follows the last end marker; the name may hold anything.
    auto end = line.rfind(kReplacedEnd);
    if (end == std::string_view::npos) return std::nullopt;
    auto after = line.substr(end + kReplacedEnd.size());
    if (!after.empty() && !after.starts_with("  Remember to use the --duplicate-cn option"))
        return std::nullopt;
    auto name = named_client(line.substr(0, end), kReplacedMarker);
    if (!name) return std::nullopt;
    return ReasonHint{ReasonHint::Scope::common_name, std::string(*name), "", 0, "replaced"};
}

// "[alice] Inactivity timeout (--ping-restart), restarting", with or without the session's
// prefix (OpenVPN handles the timer outside the client's context when several are connected).
std::optional<ReasonHint> inactivity_hint(std::string_view line) {
    auto end = line.rfind(kInactivityEnd);
    if (end == std::string_view::npos) return std::nullopt;
    auto after = line.substr(end + kInactivityEnd.size());
    if (after != "restart), restarting" && after != "exit), exiting") return std::nullopt;
    auto name = named_client(line.substr(0, end), kInactivityMarker);
    if (!name) return std::nullopt;
    return ReasonHint{ReasonHint::Scope::common_name, std::string(*name), "", 0, "ping-timeout"};
}

// "SIGTERM[hard,] received, process exiting": the whole server stops.
bool server_shutdown(std::string_view line) {
    constexpr std::string_view kEnd = "] received, process exiting";
    for (std::string_view sig : {"SIGTERM[hard,", "SIGINT[hard,"}) {
        auto close = line.find(']');
        if (!line.starts_with(sig) || close == std::string_view::npos) continue;
        auto why = line.substr(sig.size(), close - sig.size());
        return line.substr(close) == kEnd && why.find_first_of(" /") == std::string_view::npos;
    }
    return false;
}

}  // namespace

std::optional<ReasonHint> classify_log_line(std::string_view line) {
    line = strip_timestamp(line);
    if (auto hint = replaced_hint(line)) return hint;
    if (auto hint = inactivity_hint(line)) return hint;
    if (server_shutdown(line)) {
        ReasonHint hint;
        hint.scope = ReasonHint::Scope::source;
        hint.reason = "server-shutdown";
        return hint;
    }
    std::optional<std::string> reason;  // of the one split that fits
    auto prefixed = split_session_prefix(line, [&](std::string_view, std::string_view message) {
        auto found = session_reason(message);
        if (!found) return false;
        reason = std::move(*found);
        return true;
    });
    if (!prefixed) return std::nullopt;
    return ReasonHint{ReasonHint::Scope::session, std::string(prefixed->common_name),
                      prefixed->address.ip, *prefixed->address.port, std::move(*reason)};
}

void ReasonBook::add(const std::string& source, ReasonHint hint, Clock::time_point seen) {
    hints_.push_back(Entry{source, std::move(hint), seen});
    if (hints_.size() > kMaxHints)
        hints_.erase(hints_.begin(), hints_.begin() + (hints_.size() - kMaxHints));
}

std::optional<std::string> ReasonBook::reason_for(const SessionKey& session,
                                                  Clock::time_point ended) const {
    // The most specific hint wins: this session's own line, then its name, then the server.
    const Entry* best = nullptr;
    int best_rank = 0;
    for (auto it = hints_.rbegin(); it != hints_.rend(); ++it) {
        const Entry& e = *it;
        if (e.source != session.source) continue;
        auto distance = e.seen > ended ? e.seen - ended : ended - e.seen;
        if (distance > kWindow) continue;
        int rank = 0;
        switch (e.hint.scope) {
            case ReasonHint::Scope::session:
                if (e.hint.common_name == session.common_name &&
                    e.hint.real_ip == session.real_ip && e.hint.real_port == session.real_port) {
                    rank = 3;
                }
                break;
            case ReasonHint::Scope::common_name:
                if (e.hint.common_name == session.common_name) rank = 2;
                break;
            case ReasonHint::Scope::source:
                rank = 1;
                break;
        }
        if (rank > best_rank) {
            best = &e;
            best_rank = rank;
        }
    }
    if (!best) return std::nullopt;
    return best->hint.reason;
}

void ReasonBook::forget_before(Clock::time_point cutoff) {
    hints_.erase(std::remove_if(hints_.begin(), hints_.end(),
                                [&](const Entry& e) { return e.seen < cutoff; }),
                 hints_.end());
}

Result<LogFollower> LogFollower::open(std::string path) {
    LogFollower follower(std::move(path));
    follower.fd_ = ::open(follower.path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (follower.fd_ < 0) {
        // OpenVPN may not have created it yet: follow from its first line once it appears.
        if (errno == ENOENT) return follower;
        return error("cannot read OpenVPN log `" + follower.path_ + "': " + std::strerror(errno));
    }
    struct stat st {};
    fstat(follower.fd_, &st);
    follower.inode_ = st.st_ino;
    follower.offset_ = st.st_size;  // only what is written from now on
    return follower;
}

LogFollower::LogFollower(LogFollower&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      inode_(other.inode_),
      offset_(other.offset_),
      partial_(std::move(other.partial_)) {}

LogFollower::~LogFollower() {
    if (fd_ >= 0) ::close(fd_);
}

bool LogFollower::reopen_if_rotated() {
    struct stat at_path {};
    if (::stat(path_.c_str(), &at_path) != 0) return false;
    if (fd_ >= 0 && at_path.st_ino == inode_) {
        // Truncated (logrotate's copytruncate): start over. Like tail -F, a file that has grown
        // past our offset again before we look cannot be told from one that was not truncated.
        if (at_path.st_size < offset_) {
            offset_ = 0;
            partial_.clear();
        }
        return false;
    }
    // First appearance, or logrotate moved the old file away: read the new one from its start.
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) return false;
    inode_ = at_path.st_ino;
    offset_ = 0;
    partial_.clear();
    return true;
}

std::string LogFollower::read_chunk(std::size_t max_bytes) {
    std::string out;
    if (fd_ < 0) return out;
    char buffer[65536];
    while (out.size() < max_bytes) {
        ssize_t n = ::pread(fd_, buffer, sizeof buffer, offset_);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
        offset_ += n;
    }
    return out;
}

}  // namespace omp

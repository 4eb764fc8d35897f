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

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// "2026-11-26 00:06:01 " from --log files; journal lines have no timestamp of their own.
std::string_view strip_timestamp(std::string_view line) {
    if (line.size() > 20 && line[4] == '-' && line[7] == '-' && line[10] == ' ' &&
        line[13] == ':' && line[16] == ':' && line[19] == ' ') {
        return line.substr(20);
    }
    return line;
}

// The reason a per-session line gives, if any. OpenVPN 2.6's own words.
std::optional<std::string> session_reason(std::string_view rest) {
    if (contains(rest, "SIGTERM[soft,delayed-exit]") ||
        contains(rest, "SIGTERM[soft,remote-exit]") ||
        contains(rest, "exit message received by peer")) {
        return "client-exit";
    }
    if (contains(rest, "Inactivity timeout") || contains(rest, "[soft,ping-restart]") ||
        contains(rest, "[soft,ping-exit]")) {
        return "ping-timeout";
    }
    if (contains(rest, "Connection reset") || contains(rest, "[soft,connection-reset]"))
        return "connection-reset";
    if (contains(rest, "TLS Error") || contains(rest, "[soft,tls-error]")) return "tls-error";
    // `kill` over the management interface signals the instance with no reason text.
    if (contains(rest, "SIGTERM[soft,] received, client-instance exiting")) return "kicked";
    return std::nullopt;
}

}  // namespace

std::optional<ReasonHint> classify_log_line(std::string_view line) {
    line = strip_timestamp(line);
    ReasonHint hint;
    // "MULTI: new connection by client 'alice' will cause previous active sessions ... dropped"
    constexpr std::string_view kReplaced = "MULTI: new connection by client '";
    if (auto at = line.find(kReplaced); at != std::string_view::npos) {
        std::string_view rest = line.substr(at + kReplaced.size());
        auto quote = rest.find('\'');
        if (quote == std::string_view::npos) return std::nullopt;
        hint.scope = ReasonHint::Scope::common_name;
        hint.common_name = rest.substr(0, quote);
        hint.reason = "replaced";
        return hint;
    }
    if ((line.starts_with("SIGTERM[hard,") || line.starts_with("SIGINT[hard,")) &&
        contains(line, "process exiting")) {
        hint.scope = ReasonHint::Scope::source;
        hint.reason = "server-shutdown";
        return hint;
    }
    // "[alice] Inactivity timeout (--ping-restart)" can come without the session's prefix when
    // OpenVPN handles the timer outside that client's context: the bracketed name still says who.
    if (line.starts_with('[') || contains(line, " [")) {
        auto open = line.starts_with('[') ? 0 : line.find(" [") + 1;
        auto close = line.find("] Inactivity timeout", open);
        if (close != std::string_view::npos && line.find(' ') >= open) {
            hint.scope = ReasonHint::Scope::common_name;
            hint.common_name = line.substr(open + 1, close - open - 1);
            hint.reason = "ping-timeout";
            return hint;
        }
    }
    // Per-session lines start "CN/ADDRESS:PORT ".
    auto space = line.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::string_view prefix = line.substr(0, space);
    auto slash = prefix.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    auto reason = session_reason(line.substr(space + 1));
    if (!reason) return std::nullopt;
    std::string_view address = prefix.substr(slash + 1);
    for (std::string_view family : {"[AF_INET6]", "[AF_INET]"}) {
        if (address.starts_with(family)) address.remove_prefix(family.size());
    }
    auto real = parse_real_address(address);
    if (!real || !real->port) return std::nullopt;
    hint.scope = ReasonHint::Scope::session;
    hint.common_name = prefix.substr(0, slash);
    hint.real_ip = real->ip;
    hint.real_port = *real->port;
    hint.reason = *reason;
    return hint;
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

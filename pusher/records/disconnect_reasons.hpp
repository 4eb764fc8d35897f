// Why sessions ended. OpenVPN tells plugins nothing about it; it writes it only to its own
// log. This follows each instance's log file and reads the reason from the lines OpenVPN 2.6
// writes around a session's end, in a fixed vocabulary:
//   client-exit  ping-timeout  kicked  replaced  tls-error  server-shutdown
//   connection-reset  unknown
// Never a guess: a session whose end the log does not explain stays `unknown`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/result.hpp"
#include "core/session.hpp"

namespace omp {

// What one log line says about a session's end, and about which sessions.
struct ReasonHint {
    enum class Scope { session, common_name, source };
    Scope scope = Scope::session;
    std::string common_name;  // session and common_name scopes
    std::string real_ip;      // session scope
    std::uint16_t real_port = 0;
    std::string reason;
};

// Pure: one line of OpenVPN's log (with or without its timestamp).
std::optional<ReasonHint> classify_log_line(std::string_view line);

// Recent hints per instance, and the reason for a session that just ended.
class ReasonBook {
  public:
    using Clock = std::chrono::steady_clock;

    void add(const std::string& source, ReasonHint hint, Clock::time_point seen);
    // The reason for this session's end at `ended`, from a line seen close to it.
    std::optional<std::string> reason_for(const SessionKey& session, Clock::time_point ended) const;
    void forget_before(Clock::time_point cutoff);
    std::size_t size() const { return hints_.size(); }

    // A hint counts for a session end this close to it (UDP's exit notice comes 5 s early).
    static constexpr std::chrono::seconds kWindow{10};
    static constexpr std::size_t kMaxHints = 10000;

  private:
    struct Entry {
        std::string source;
        ReasonHint hint;
        Clock::time_point seen;
    };
    std::vector<Entry> hints_;  // oldest first
};

// Reads the lines appended to a log file since the last call; follows rotation (a new file
// at the path) and truncation. Starts at the end: history is not replayed.
class LogFollower {
  public:
    static Result<LogFollower> open(std::string path);
    LogFollower(LogFollower&& other) noexcept;
    LogFollower& operator=(LogFollower&&) = delete;
    ~LogFollower();

    // Calls `line` for every complete new line, at most `max_bytes` read per call.
    template <typename Fn>
    void read_new_lines(Fn&& line, std::size_t max_bytes = 1 << 20);

    const std::string& path() const { return path_; }

  private:
    explicit LogFollower(std::string path) : path_(std::move(path)) {}
    bool reopen_if_rotated();
    std::string read_chunk(std::size_t max_bytes);

    std::string path_;
    int fd_ = -1;
    ino_t inode_ = 0;
    off_t offset_ = 0;
    std::string partial_;
};

template <typename Fn>
void LogFollower::read_new_lines(Fn&& line, std::size_t max_bytes) {
    reopen_if_rotated();
    std::string data = partial_ + read_chunk(max_bytes);
    std::size_t start = 0;
    for (std::size_t nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
        line(std::string_view(data).substr(start, nl - start));
    }
    partial_ = data.substr(start);
    if (partial_.size() > 64 * 1024) partial_.clear();  // not a log line
}

}  // namespace omp

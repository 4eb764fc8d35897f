// Disconnect reasons read from each source's OpenVPN log (a file OpenVPN writes with --log,
// or its unit's messages in the journal), behind a small interface so that the daemon's
// rules can be tested with a fake.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.hpp"
#include "core/session.hpp"
#include "records/disconnect_reasons.hpp"
#include "records/journal_follower.hpp"

namespace omp {

inline constexpr std::string_view kJournalPrefix = "journal:";

class ReasonSource {
  public:
    using Clock = std::chrono::steady_clock;
    virtual ~ReasonSource() = default;

    // Whether this source's log is read at all (else its records stay `unknown` at once).
    virtual bool covers(const std::string& source) const = 0;
    // Reads what the logs wrote since the last call, then looks the session up.
    virtual std::optional<std::string> reason_for(const SessionKey& session,
                                                  Clock::time_point ended,
                                                  Clock::time_point now) = 0;
};

class LogReasons final : public ReasonSource {
  public:
    // `logs`: source name -> a log file path, or kJournalPrefix and a systemd unit.
    static Result<LogReasons> open(const std::vector<std::pair<std::string, std::string>>& logs);

    bool covers(const std::string& source) const override;
    std::optional<std::string> reason_for(const SessionKey& session, Clock::time_point ended,
                                          Clock::time_point now) override;

  private:
    struct NamedLog {
        std::string source;
        std::variant<LogFollower, JournalFollower> follower;
    };
    void read_new_lines(Clock::time_point now);

    std::vector<NamedLog> logs_;
    ReasonBook book_;
};

}  // namespace omp

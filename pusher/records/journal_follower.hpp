// Follows one systemd unit's messages in the journal (`--ovpn-log NAME=journal:UNIT`), for an
// OpenVPN that logs to stdout under systemd (Debian's openvpn-server@.service). Reads the
// local journal with libsystemd's sd-journal, matching _SYSTEMD_UNIT as `journalctl -u` does;
// starts at the end: history is not replayed.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.hpp"

typedef struct sd_journal sd_journal;

namespace omp {

class JournalFollower {
  public:
    // `unit` without a suffix gets `.service`, as with journalctl -u.
    static Result<JournalFollower> open(std::string unit);
    JournalFollower(JournalFollower&& other) noexcept;
    JournalFollower& operator=(JournalFollower&&) = delete;
    ~JournalFollower();

    // Calls `line` with the MESSAGE of every entry added since the last call, at most
    // `max_entries` per call (the rest wait for the next).
    void read_new_lines(const std::function<void(std::string_view)>& line,
                        std::size_t max_entries = 10000);

    const std::string& unit() const { return unit_; }

  private:
    JournalFollower(std::string unit, sd_journal* journal)
        : unit_(std::move(unit)), journal_(journal) {}

    std::string unit_;
    sd_journal* journal_ = nullptr;
};

// The unit name journalctl -u would match: checked, with `.service` added when it has no type.
Result<std::string> journal_unit_name(std::string_view unit);

}  // namespace omp

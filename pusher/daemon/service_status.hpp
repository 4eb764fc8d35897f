// What `systemctl status ovpn-mgmt-push` says (sd_notify STATUS=), rebuilt after each cycle,
// so "is it working" is answered without a journal search:
//
//     2/2 sources ok, 14 users, last POST 0.4 s ago, 0 records pending
//     1/2 sources ok (down: tcp), 9 users, last POST failed (HTTP 503; last success 12 s ago), ...
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/merger.hpp"
#include "panel/panel_config.hpp"

namespace omp {

class ServiceStatus {
  public:
    using Clock = std::chrono::steady_clock;
    // The longest error quoted: the status is one short line in `systemctl status`.
    static constexpr std::size_t kMaxError = 120;

    void polled(const Snapshot& snapshot);
    void posted(const PostResult& result, Clock::time_point now);
    void set_records_pending(std::size_t pending) { records_pending_ = pending; }

    // One line, control characters escaped.
    std::string text(Clock::time_point now) const;

  private:
    std::size_t sources_ = 0;
    std::vector<std::string> down_;
    std::size_t users_ = 0;
    bool polled_ = false;
    std::optional<Clock::time_point> last_success_;
    std::string last_failure_;  // empty when the newest POST succeeded
    bool posted_ = false;
    std::size_t records_pending_ = 0;
};

}  // namespace omp

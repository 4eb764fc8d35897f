// What a failed POST changes: the next try waits 250 ms, doubling with each failure in a row,
// capped at one interval; the failure is logged once per episode (a new kind of failure is a
// new episode) with a reminder every ten minutes, not a line every two seconds.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "base/failure_episode.hpp"
#include "panel/panel_config.hpp"

namespace omp {

class PanelBackoff {
  public:
    using Clock = std::chrono::steady_clock;

    // Returns the line to log, if this failure is to be logged.
    std::optional<std::string> failed(const PostResult& result, Clock::time_point now,
                                      Clock::duration interval);
    // Returns the line to log when this success ends an episode of failures.
    std::optional<std::string> succeeded(Clock::time_point now);

    // No POST starts before this.
    Clock::time_point retry_at() const { return retry_at_; }

  private:
    FailureEpisode episode_;
    Clock::time_point retry_at_{};
};

}  // namespace omp

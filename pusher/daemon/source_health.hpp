// What the log says about sources that fail: each source's failures as a FailureEpisode (once
// when it starts, a reminder every ten minutes, its recovery once): not a line every two
// seconds, 43,000 a day for a default endpoint that does not exist.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "base/failure_episode.hpp"
#include "base/log.hpp"
#include "core/source_report.hpp"

namespace omp {

class SourceHealth {
  public:
    using Clock = std::chrono::steady_clock;

    struct Line {
        log::Level level;
        std::string text;
    };
    // The lines this cycle's reports call for.
    std::vector<Line> update(const std::vector<SourceReport>& reports, Clock::time_point now);

  private:
    std::map<std::string, FailureEpisode> failing_;  // source name -> its current episode
};

}  // namespace omp

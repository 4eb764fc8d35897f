// What the log says about sources that fail: a source's failure once when its episode starts
// (a new error is a new episode) and every ten minutes while it lasts, and its recovery once;
// not a line every two seconds (43,000 a day for a default endpoint that does not exist).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "core/source_report.hpp"

namespace omp {

class SourceHealth {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kReminder = std::chrono::minutes(10);

    struct Line {
        log::Level level;
        std::string text;
    };
    // The lines this cycle's reports call for.
    std::vector<Line> update(const std::vector<SourceReport>& reports, Clock::time_point now);

  private:
    struct Episode {
        std::string error;
        Clock::time_point logged;
        int failed_polls = 0;
    };
    std::map<std::string, Episode> failing_;  // source name -> its current episode
};

}  // namespace omp

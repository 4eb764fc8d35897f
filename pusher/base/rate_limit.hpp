// Lets a repeated complaint through at most once per period and counts what it held back,
// so a flood of bad input cannot flood the log.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace omp {

class RateLimit {
  public:
    explicit RateLimit(std::chrono::seconds period) : period_(period) {}

    // Returns how many occurrences were held back since the last one let through, when this
    // one may be logged; nullopt when it must stay quiet.
    std::optional<std::uint64_t> allow(std::chrono::steady_clock::time_point now) {
        if (last_ && now - *last_ < period_) {
            ++held_;
            return std::nullopt;
        }
        last_ = now;
        std::uint64_t held = held_;
        held_ = 0;
        return held;
    }

  private:
    std::chrono::seconds period_;
    std::optional<std::chrono::steady_clock::time_point> last_;
    std::uint64_t held_ = 0;
};

}  // namespace omp

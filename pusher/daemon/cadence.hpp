// The steady cadence: ticks on a fixed grid (start + k * interval), so the cadence does not
// drift however long a cycle takes, and ticks missed while busy fold into one.
#pragma once

#include <chrono>

namespace omp {

class Cadence {
  public:
    using Clock = std::chrono::steady_clock;

    Cadence(Clock::duration interval, Clock::time_point start)
        : interval_(interval), next_(start + interval) {}

    // True when at least one grid point has passed since the last call.
    bool due(Clock::time_point now) {
        if (now < next_) return false;
        while (next_ <= now) next_ += interval_;
        return true;
    }
    // A new interval starts a new grid at `now`.
    void restart(Clock::duration interval, Clock::time_point now) {
        interval_ = interval;
        next_ = now + interval;
    }

    Clock::time_point next() const { return next_; }
    Clock::duration interval() const { return interval_; }

  private:
    Clock::duration interval_;
    Clock::time_point next_;
};

}  // namespace omp

// systemd's watchdog: when it is on (WatchdogSec=), a keep-alive is due every half period.
// The loop sends it; this says when.
#pragma once

#include <chrono>
#include <optional>

namespace omp {

class Watchdog {
  public:
    using Clock = std::chrono::steady_clock;

    explicit Watchdog(std::chrono::microseconds period) : period_(period) {}

    bool enabled() const { return period_.count() > 0; }
    // True when a keep-alive is due at `now`; the next one is then half a period away.
    bool due(Clock::time_point now) {
        if (!enabled() || now < next_) return false;
        next_ = now + period_ / 2;
        return true;
    }
    std::optional<Clock::time_point> next() const {
        if (!enabled()) return std::nullopt;
        return next_;
    }

  private:
    std::chrono::microseconds period_;
    Clock::time_point next_{};
};

}  // namespace omp

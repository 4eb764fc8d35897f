// How the log speaks of something that keeps failing (the panel, a source): once when an
// episode starts (a failure of a new kind starts a new one), a reminder every ten minutes while
// it lasts, and its end once; not a line every two seconds (43,000 a day).
#pragma once

#include <chrono>
#include <string>

namespace omp {

class FailureEpisode {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kReminder = std::chrono::minutes(10);

    enum class Say { nothing, started, reminder };

    // One more failure, of `kind` (what stays the same between attempts of one cause).
    Say failed(const std::string& kind, Clock::time_point now) {
        ++failures_;
        if (failures_ == 1 || kind != kind_) {
            kind_ = kind;
            logged_ = now;
            return Say::started;
        }
        if (now - logged_ < kReminder) return Say::nothing;
        logged_ = now;
        return Say::reminder;
    }
    // A success: how many failures the episode that it ends had (0: none was going on).
    int succeeded() {
        int ended = failures_;
        failures_ = 0;
        kind_.clear();
        return ended;
    }
    int failures() const { return failures_; }

  private:
    int failures_ = 0;  // in a row, of any kind
    std::string kind_;
    Clock::time_point logged_{};
};

}  // namespace omp

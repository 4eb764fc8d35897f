// Session records waiting for their log to say why the session ended: OpenVPN writes some
// reasons (a replaced login, a shutdown) just after the disconnect hook. A record waits at
// most kWait; then it is posted with the reason found, or `unknown`.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace omp {

class ReasonWaits {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kWait = std::chrono::milliseconds(1500);

    void start(const std::string& record_id, Clock::time_point ended) { waits_[record_id] = ended; }
    bool waiting(const std::string& record_id) const { return waits_.count(record_id) > 0; }
    bool empty() const { return waits_.empty(); }
    std::optional<Clock::time_point> next_deadline() const;

    struct Settled {
        std::string record_id;
        std::optional<std::string> reason;  // none: the wait is over without one
    };
    // Looks each waiting record up (`lookup(id, ended)`: the reason, if the log has it now)
    // and returns those whose wait ended: a reason found, the deadline passed, or the record
    // gone (`lookup` is not called for those: `exists(id)` is false).
    using Lookup =
        std::function<std::optional<std::string>(const std::string& id, Clock::time_point ended)>;
    std::vector<Settled> settle(Clock::time_point now,
                                const std::function<bool(const std::string&)>& exists,
                                const Lookup& lookup);

  private:
    std::map<std::string, Clock::time_point> waits_;  // record id -> when the session ended
};

}  // namespace omp

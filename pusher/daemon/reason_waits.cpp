#include "daemon/reason_waits.hpp"

#include <algorithm>

namespace omp {

std::optional<ReasonWaits::Clock::time_point> ReasonWaits::next_deadline() const {
    std::optional<Clock::time_point> next;
    for (const auto& [id, ended] : waits_)
        next = std::min(next.value_or(ended + kWait), ended + kWait);
    return next;
}

std::vector<ReasonWaits::Settled> ReasonWaits::settle(
    Clock::time_point now, const std::function<bool(const std::string&)>& exists,
    const Lookup& lookup) {
    std::vector<Settled> settled;
    for (auto it = waits_.begin(); it != waits_.end();) {
        const auto& [id, ended] = *it;
        bool gone = !exists(id);
        std::optional<std::string> reason = gone ? std::nullopt : lookup(id, ended);
        if (gone || reason || now >= ended + kWait) {
            settled.push_back(Settled{id, std::move(reason)});
            it = waits_.erase(it);
        } else {
            ++it;
        }
    }
    return settled;
}

}  // namespace omp

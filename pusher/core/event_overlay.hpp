// The event overlay: what the plugin told us that a management poll may not show yet.
// A connect is shown even if management does not list the session yet; a disconnected
// session is hidden even if management still lists it. Each entry lasts until management
// agrees, or `hold` passes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/session.hpp"
#include "core/source_report.hpp"
#include "event/event_datagram.hpp"

namespace omp {

class EventOverlay {
  public:
    using Clock = std::chrono::steady_clock;
    explicit EventOverlay(std::chrono::seconds hold = std::chrono::seconds(30)) : hold_(hold) {}

    void record(const event::Event& event, Clock::time_point now);
    // Adjusts freshly polled reports in place; forgets what management has caught up with.
    void apply(std::vector<SourceReport>& reports, Clock::time_point now);
    std::size_t size() const { return entries_.size(); }

  private:
    void apply_to(SourceReport& report, Clock::time_point now);

    struct Entry {
        event::Kind kind;
        Session session;  // for connects: the session to show
        Clock::time_point recorded;
    };

    std::chrono::seconds hold_;
    std::map<SessionKey, Entry> entries_;
};

}  // namespace omp

// Renders a snapshot as the panel's JSON body. The keys of CONTRACT.md keep their names and
// types; everything else is additive (documented in docs/reference.md, "Additions to the
// contract").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/merger.hpp"
#include "core/session_record.hpp"

namespace omp {

// One plugin event folded into this POST (what triggered it).
struct TriggerEvent {
    std::string event;  // connect | disconnect
    std::string source;
    std::string username;
    std::int64_t hook_ts_us = 0;  // when the plugin's hook ran
};

// What the event socket let in and kept out since the daemon started.
struct EventSocketCounters {
    std::uint64_t accepted = 0;
    std::uint64_t foreign_sender = 0;  // credentials not root nor the allowed user
    std::uint64_t malformed = 0;       // bad format, unknown version, oversized
};

struct PayloadContext {
    std::string trigger;  // startup | interval | event (run), manual (snapshot, push)
    std::vector<TriggerEvent> events;
    std::vector<SessionRecord> ended_sessions;        // not yet acknowledged by the panel
    std::uint64_t ended_sessions_dropped = 0;         // lost to the store's bound, since start
    std::optional<EventSocketCounters> event_socket;  // run only
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// "2025-10-27T07:03:06.055456Z"
std::string format_utc_microseconds(std::chrono::system_clock::time_point t);

// Receives the body in pieces of about 64 KiB, so a large payload can be streamed.
using PayloadSink = std::function<void(std::string_view)>;

// Never throws on odd names: invalid UTF-8 is replaced with U+FFFD.
void render_payload(const Snapshot& snapshot, const PayloadContext& context,
                    const PayloadSink& sink);
std::string render_payload(const Snapshot& snapshot, const PayloadContext& context);

}  // namespace omp

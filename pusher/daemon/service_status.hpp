// What `systemctl status ovpn-mgmt-push` says (sd_notify STATUS=), made after each POST from the
// record of the last cycles, so "is it working" is answered without a journal search:
//
//     2/2 sources ok, 14 users, last POST 0.4 s ago, 0 records pending
//     1/2 sources ok (down: tcp), 9 users, last POST failed (HTTP 503; last success 12 s ago), ...
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/cycle_record.hpp"

namespace omp {

// The longest error quoted: the status is one short line in `systemctl status`.
inline constexpr std::size_t kMaxStatusError = 120;

// One line, control characters escaped.
std::string service_status(const CycleRecord& record, std::size_t records_pending,
                           CycleRecord::Clock::time_point now);

}  // namespace omp

// What one source (a management endpoint) yielded in one poll: its sessions, or why not.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/mgmt_transcript.hpp"
#include "core/session.hpp"

namespace omp {

// SourceReport::kind, and the payload's sources[].kind.
inline constexpr const char* kOpenVpnKind = "openvpn";
inline constexpr const char* kWireGuardKind = "wireguard";

// The sessions one source listed, and what was wrong with its answer.
struct ParsedStatus {
    std::vector<Session> sessions;               // completed logins only
    std::size_t half_open = 0;                   // listed, but no virtual address yet: left out
    std::size_t malformed_rows = 0;              // skipped and counted
    std::optional<std::string> first_malformed;  // the first skipped row, for the log
    std::optional<std::string> error;            // the output as a whole is unusable
    // OpenVPN's answers word for word, when a management proxy serves this source.
    std::shared_ptr<const MgmtTranscript> transcript;
};

struct SourceReport {
    std::string name;
    std::string kind = kOpenVpnKind;
    bool ok = false;
    std::string error;  // names the address and what went wrong, when !ok
    ParsedStatus status;
    std::chrono::microseconds took{0};
};

}  // namespace omp

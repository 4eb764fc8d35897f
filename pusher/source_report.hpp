// What one source (a management endpoint) yielded in one poll: its sessions, or why not.
#pragma once

#include <chrono>
#include <string>

#include "status_parser.hpp"

namespace omp {

// SourceReport::kind, and the payload's sources[].kind.
inline constexpr const char* kOpenVpnKind = "openvpn";
inline constexpr const char* kWireGuardKind = "wireguard";

struct SourceReport {
    std::string name;
    std::string kind = kOpenVpnKind;
    bool ok = false;
    std::string error;  // names the address and what went wrong, when !ok
    ParsedStatus status;
    std::chrono::microseconds took{0};
};

}  // namespace omp

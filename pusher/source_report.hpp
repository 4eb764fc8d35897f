// What one source (a management endpoint) yielded in one poll: its sessions, or why not.
#pragma once

#include <chrono>
#include <string>

#include "status_parser.hpp"

namespace omp {

struct SourceReport {
    std::string name;
    std::string kind = "openvpn";
    bool ok = false;
    std::string error;  // names the address and what went wrong, when !ok
    ParsedStatus status;
    std::chrono::microseconds took{0};
};

}  // namespace omp

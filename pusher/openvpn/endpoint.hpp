// A named source address: `udp=127.0.0.1:7505`, `tcp=[::1]:7506`, `udp=unix:/run/openvpn/udp.sock`.
// Hosts are numeric (or `localhost`): the aggregator never waits on DNS.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace omp {

struct Endpoint {
    std::string name;
    std::string address;  // as given, for messages
    sockaddr_storage sockaddr{};
    socklen_t sockaddr_len = 0;
    // A management proxy replays this source: its polls keep OpenVPN's answers word for word.
    bool keep_transcript = false;
};

Result<Endpoint> parse_endpoint(std::string_view name_equals_address);
// A comma-separated list, as in MGMT_ENDPOINTS. Names must be unique.
Result<std::vector<Endpoint>> parse_endpoint_list(std::string_view list);
Status check_unique_names(const std::vector<Endpoint>& endpoints);

}  // namespace omp

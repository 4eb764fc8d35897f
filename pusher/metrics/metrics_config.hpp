// What --metrics-listen, --metrics-no-sessions and --metrics-auth-file give.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

namespace omp {

struct MetricsConfig {
    std::string address;  // as given, for messages: 127.0.0.1:9469
    sockaddr_storage sockaddr{};
    socklen_t sockaddr_len = 0;
    bool loopback = false;  // 127.0.0.0/8 or ::1: no one but local users can connect
    bool per_session = true;
    std::optional<std::string> auth_file;
    // Read from auth_file ("USER:PASSWORD"); a scrape must bring them when set.
    std::string user;
    std::string password;
};

}  // namespace omp

// What --mgmt-proxy NAME=unix:PATH|NAME=ADDR:PORT and its settings give.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

namespace omp {

struct ProxyConfig {
    std::string instance;  // a --mgmt name
    std::string address;   // as given, for messages: unix:/run/... or 127.0.0.1:7605
    sockaddr_storage sockaddr{};
    socklen_t sockaddr_len = 0;
    bool loopback = false;  // a unix socket, 127.0.0.0/8 or ::1
    mode_t socket_mode = 0660;
    std::optional<uid_t> socket_user;     // none: root
    std::optional<gid_t> socket_group;    // none: root's group
    std::optional<std::string> password;  // from MGMT_PROXY_PASSWORD_FILE
    // A client that sends nothing and reads nothing this long is closed.
    std::chrono::milliseconds idle_timeout{60000};
};

}  // namespace omp

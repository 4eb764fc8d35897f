// The settings of what the daemon serves besides its POSTs: Prometheus metrics
// (--metrics-*) and read-only management proxies (--mgmt-proxy*). Both name users and their
// addresses, so both refuse to listen off loopback without credentials.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "config/setting_table.hpp"

namespace omp {

// Rows of the setting table.
Status apply_metrics_listen(const Given& given, Draft& draft);
Status apply_metrics_no_sessions(const Given& given, Draft& draft);
Status apply_mgmt_proxies(const Given& given, Draft& draft);
Status apply_proxy_socket_mode(const Given& given, Draft& draft);
Status apply_proxy_socket_user(const Given& given, Draft& draft);
Status apply_proxy_socket_group(const Given& given, Draft& draft);

// After every row: settings that span rows, and no listener open to the network without
// credentials.
Status check_listeners(Draft& draft);

// Reads the credential files the listeners name (METRICS_AUTH_FILE, MGMT_PROXY_PASSWORD_FILE)
// with `read_secret`, the settings' one reader of secret files.
using SecretReader = Result<std::string> (*)(const std::string& path, const std::string& what,
                                             std::vector<std::string>& warnings);
Status read_listener_files(Settings& settings, SecretReader read_secret);

}  // namespace omp

// Reads KEY=VALUE files in the syntax of systemd's EnvironmentFile= (and of the old timer
// script's /etc/default file): '#' and ';' comments, blank lines, optional `export `,
// optional single or double quotes around the value. Pure: text in, values out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace omp {

using KeyValues = std::map<std::string, std::string>;

// `origin` names the file in error messages ("/etc/default/ovpn-mgmt-push:7: ...").
Result<KeyValues> parse_config_text(std::string_view text, const std::string& origin);
Result<KeyValues> read_config_file(const std::string& path);
// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace omp

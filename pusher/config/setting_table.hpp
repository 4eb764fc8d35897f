// Every setting of `run`, `snapshot` and `push` in one table: its flag, its variable, its
// default, how its value is parsed and where it goes, and its help. The table drives the
// parsing of the command line, the variables read from the environment and the config
// files, the usage text, and a unit test that holds the man page's option list to it.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "config/settings.hpp"

namespace omp {

// A setting as given: a flag's values (each occurrence), or its variable's value (a list
// variable split at commas), or its default.
struct Given {
    std::vector<std::string> values;
    bool from_flag = false;
    const std::string& value() const { return values.back(); }
};

// What the rows fill in, before the rules that span settings (the panel URL from PANEL_URL
// and SERVER_ID, which token wins) and before any file is read.
struct Draft {
    Settings settings;
    std::optional<std::string> events_url, panel_base, server_id, token, token_file, ca_file,
        panel_timeout, panel_gzip;
    bool token_file_from_flag = false;
    bool metrics_per_session = true;
    std::optional<std::string> metrics_auth_file;
    std::optional<std::string> proxy_password_file;
};

struct SettingRow {
    std::string_view flag;           // empty: a variable only
    std::string_view variable;       // empty: a flag only
    std::string_view value_name;     // in the usage text: S, PATH, NAME=ADDR ...; empty: a switch
    std::string_view default_value;  // parsed like a given value when nothing is given
    std::string_view help;
    bool repeatable = false;  // the flag may be repeated; the variable is a comma-separated list
    Status (*apply)(const Given& given, Draft& draft) = nullptr;  // none: read elsewhere
};

// In the order the rows are applied: a row may rely on those above it.
std::span<const SettingRow> setting_table();

// The one reader of seconds: "bad WHAT `TEXT': expected seconds from MIN to MAX".
Result<double> parse_seconds(const std::string& text, const std::string& what, double min,
                             double max);
std::chrono::milliseconds to_ms(double seconds);

// Flags that are not settings.
inline constexpr std::string_view kConfigFlag = "--config";
inline constexpr std::string_view kHelpFlag = "--help";
inline constexpr std::string_view kVersionFlag = "--version";

}  // namespace omp

#include "base/config_file.hpp"

#include <fstream>
#include <sstream>

#include "base/text_fields.hpp"

namespace omp {

namespace {

bool valid_key(std::string_view key) {
    if (key.empty() || (key.front() >= '0' && key.front() <= '9')) return false;
    for (char c : key) {
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_')) {
            return false;
        }
    }
    return true;
}

}  // namespace

Result<KeyValues> parse_config_text(std::string_view text, const std::string& origin) {
    KeyValues values;
    int line_number = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_number;
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        if (line.starts_with("export ")) line = trim(line.substr(7));

        auto where = origin + ":" + std::to_string(line_number);
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            return error(where + ": expected KEY=VALUE, got `" + std::string(line.substr(0, 80)) +
                         "'");
        }
        std::string_view key = trim(line.substr(0, eq));
        std::string_view value = trim(line.substr(eq + 1));
        if (!valid_key(key)) return error(where + ": bad variable name `" + std::string(key) + "'");
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
            // Named by its key, never quoted: the value may be a token or a password.
            if (value.back() != value.front()) {
                return error(where + ": unterminated quote in the value of " + std::string(key));
            }
            value = value.substr(1, value.size() - 2);
        }
        values[std::string(key)] = std::string(value);
    }
    return values;
}

std::optional<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Result<KeyValues> read_config_file(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return error("cannot read config file `" + path + "'");
    return parse_config_text(*text, path);
}

}  // namespace omp

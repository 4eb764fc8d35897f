// The usage text: the subcommands, then every setting of the table (setting_table.cpp), so
// that a new setting is in --help the moment it exists.
#include <sstream>

#include "config/setting_table.hpp"
#include "config/settings.hpp"

namespace omp {

namespace {

constexpr std::size_t kIndent = 29;
constexpr std::size_t kWidth = 92;

// `head` padded to the help column, then `text` wrapped at kWidth under it.
std::string entry(const std::string& head, const std::string& text) {
    std::string out = head;
    std::size_t column = out.size();
    if (column >= kIndent - 1) {
        out += "\n";
        column = 0;
    }
    std::istringstream words(text);
    std::string word;
    bool first = true;
    while (words >> word) {
        if (first || column + 1 + word.size() > kWidth) {
            if (!first) out += "\n";
            out += std::string(kIndent - (first && column ? column : 0), ' ');
            column = kIndent;
        } else {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        first = false;
    }
    return out + "\n";
}

std::string bracket(const SettingRow& row) {
    std::string text = "[" + std::string(row.variable);
    if (row.repeatable) text += ", comma-separated";
    if (!row.default_value.empty()) text += "; default " + std::string(row.default_value);
    return text + "]";
}

// `  name       help`, the help's further lines under its first; a name too long for the
// column gets a line of its own.
std::string subcommand_entry(const Subcommand& sub) {
    constexpr std::size_t kColumn = 13;
    std::string out = "  " + std::string(sub.name);
    out += out.size() < kColumn ? std::string(kColumn - out.size(), ' ')
                                : "\n" + std::string(kColumn, ' ');
    for (char c : sub.help) {
        out += c;
        if (c == '\n') out += std::string(kColumn, ' ');
    }
    return out + "\n";
}

}  // namespace

std::string usage_text() {
    std::string out = "Usage: ovpn-mgmt-push SUBCOMMAND [options]\n\nSubcommands:\n";
    for (const auto& sub : subcommands()) out += subcommand_entry(sub);
    out += "\nOptions (each has an environment variable; a flag beats its variable):\n";
    std::string variables_only;
    for (const auto& row : setting_table()) {
        std::string help(row.help);
        if (row.repeatable) help += "; repeatable";
        if (row.flag.empty()) {
            variables_only += entry(
                "  " + std::string(row.variable) + " " + std::string(row.value_name),
                help + (row.default_value.empty() ? ""
                                                  : "; default " + std::string(row.default_value)));
        } else {
            std::string value = row.value_name.empty() ? "" : " " + std::string(row.value_name);
            out += entry("  " + std::string(row.flag) + value, help + " " + bracket(row));
        }
    }
    out += entry("  --config FILE",
                 "KEY=VALUE file; default: /etc/default/ovpn-status-push (the old script's), then "
                 "/etc/default/ovpn-mgmt-push (wins), each if present");
    out += "  --help, --version\n\nVariables without a flag:\n" + variables_only;
    out += "\nExit status: 0 success, 1 failure at run time, 2 usage error.\n";
    return out;
}

}  // namespace omp

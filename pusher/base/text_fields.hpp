// Small, strict pieces shared by the parsers: OpenVPN's status, WireGuard's output, the
// settings' lists and the config files.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omp {

// The whole text as a decimal integer of type Int: nothing before, nothing after, no overflow.
template <typename Int>
std::optional<Int> parse_whole_number(std::string_view text) {
    Int value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Every field between separators, empty ones included, into `fields` (reused by the caller).
inline void split_into(std::string_view text, char separator,
                       std::vector<std::string_view>& fields) {
    fields.clear();
    for (std::size_t start = 0;;) {
        std::size_t end = text.find(separator, start);
        fields.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) return;
        start = end + 1;
    }
}

inline std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> fields;
    split_into(text, separator, fields);
    return fields;
}

// Without the blanks at either end: spaces, tabs, and the CR of a CRLF line.
inline std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

// The items of a comma-separated setting (MGMT_ENDPOINTS, WG_INTERFACES, ...), trimmed,
// empty ones left out.
inline std::vector<std::string> comma_list(std::string_view text) {
    std::vector<std::string> items;
    for (auto item : split(text, ',')) {
        if (auto trimmed = trim(item); !trimmed.empty()) items.emplace_back(trimmed);
    }
    return items;
}

}  // namespace omp

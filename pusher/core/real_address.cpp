#include "core/real_address.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "base/text_fields.hpp"

namespace omp {

namespace {

std::string_view strip_protocol_prefix(std::string_view text) {
    // "udp", "udp4", "tcp6-server", ...: letters that cannot start an IPv6 address (u, t).
    if (!(text.starts_with("udp") || text.starts_with("tcp"))) return text;
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return text;
    std::string_view prefix = text.substr(0, colon);
    bool word = std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    return word ? text.substr(colon + 1) : text;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    auto value = parse_whole_number<unsigned>(text);
    if (!value || *value == 0 || *value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(*value);
}

// Validates with inet_pton and returns the canonical text, unmapping ::ffff:a.b.c.d.
std::optional<std::string> canonical_ip(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    std::string s(text);
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return s;
    in6_addr v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
    char out[INET6_ADDRSTRLEN];
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        inet_ntop(AF_INET, &v6.s6_addr[12], out, sizeof out);
    } else {
        inet_ntop(AF_INET6, &v6, out, sizeof out);
    }
    return std::string(out);
}

}  // namespace

std::optional<RealAddress> parse_real_address(std::string_view text) {
    text = strip_protocol_prefix(text);
    std::string_view host = text, port_text;
    if (text.starts_with('[')) {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port_text = rest.substr(1);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        std::size_t colon = text.find(':');
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    auto ip = canonical_ip(host);
    if (!ip) return std::nullopt;
    RealAddress address{*ip, std::nullopt};
    if (!port_text.empty() || text.ends_with(':')) {
        address.port = parse_port(port_text);
        if (!address.port) return std::nullopt;
    }
    return address;
}

std::string canonical_real_ip(std::string_view text) {
    auto address = parse_real_address(text);
    return address ? address->ip : std::string(text);
}

}  // namespace omp

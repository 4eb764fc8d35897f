// One client session as the aggregator sees it, whichever source reported it.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace omp::event {
struct Event;
}

namespace omp {

struct Session {
    std::string source;  // the endpoint's name (payload: proto)
    std::string common_name;
    std::string username;  // Username column, or the common name when UNDEF/empty
    std::string real_ip;   // real address without port
    std::optional<std::uint16_t> real_port;
    std::string virtual_ip;  // IPv4 pool address, may be empty for IPv6-only clients
    std::string virtual_ipv6;
    std::uint64_t bytes_received = 0;
    std::uint64_t bytes_sent = 0;
    std::int64_t connected_at = 0;  // epoch seconds
    std::optional<std::uint64_t> client_id;
    // Bytes per second since the previous poll of this same session (rate_tracker.hpp);
    // 0 on a session's first poll.
    std::uint64_t rx_bps = 0;
    std::uint64_t tx_bps = 0;
};

// Who a session is, however it was seen (a poll, a plugin event, a session record): the
// source that serves it, its common name and its real address. The one key of the event
// overlay, the rate tracker and the disconnect reasons.
struct SessionKey {
    std::string source;
    std::string common_name;
    std::string real_ip;
    std::uint16_t real_port = 0;
    auto operator<=>(const SessionKey&) const = default;
};

inline SessionKey key_of(const Session& s) {
    return SessionKey{s.source, s.common_name, s.real_ip, s.real_port.value_or(0)};
}

// CONTRACT.md's username: the Username column (or auth-user-pass name), or the common name
// when that is UNDEF or empty. The one place this rule is written.
inline std::string username_or_common_name(std::string_view username,
                                           std::string_view common_name) {
    return std::string(username.empty() || username == "UNDEF" ? common_name : username);
}

// The session a plugin event tells of, as a poll would list it (the username rule above, the
// real address canonical); without time_unix, connected at the hook's time.
Session session_from_event(const event::Event& e);

}  // namespace omp

// The event datagram: what the plugin sends to the aggregator on every client connect and
// disconnect, and how the aggregator reads it back. Shared by both sides so the format has
// exactly one definition.
//
// Format, version 1 (one Unix datagram, at most kMaxDatagram bytes):
//
//     "ovpn-mgmt-push/1" NUL key=value NUL key=value NUL ...
//
// Fields are NUL-terminated because OpenVPN's environment strings cannot contain NUL, so no
// escaping is ever needed. Keys, in the order the plugin writes them:
//
//     sender_key      the sender key (event/sender_key.hpp), first so no cut can lose it
//     event           connect | disconnect                               (required)
//     instance        the plugin's instance= argument, e.g. udp          (required)
//     ts_us           CLOCK_REALTIME at the hook, microseconds since epoch (required)
//     common_name     X.509 common name
//     username        auth-user-pass username, absent when none
//     real_ip         trusted_ip or trusted_ip6
//     real_port       trusted_port
//     virtual_ip      ifconfig_pool_remote_ip
//     virtual_ipv6    ifconfig_pool_remote_ip6
//     connected_at    time_unix: when the session started, epoch seconds
//     bytes_received  disconnect only: final count, client to server
//     bytes_sent      disconnect only: final count, server to client
//     duration        disconnect only: time_duration, seconds
//
// A value longer than kMaxValue is cut to kMaxValue bytes. Unknown keys are ignored by the
// reader (a newer plugin may add some); an unknown version string is rejected, as is a
// duplicate key, a missing required key or a number that does not parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace omp::event {

inline constexpr std::string_view kMagic = "ovpn-mgmt-push/1";
inline constexpr std::size_t kMaxDatagram = 4096;

// Where the plugin sends and the daemon listens unless told otherwise (CONTRACT.md): the one
// place this path is written.
inline constexpr const char* kDefaultSocketPath = "/run/ovpn-mgmt-push/events.sock";
inline constexpr std::size_t kMaxValue = 512;

enum class Kind { connect, disconnect };

std::string_view to_string(Kind kind);

// An instance name (the plugin's instance=, the daemon's --mgmt NAME; they must match):
// 1 to 32 characters of A-Z a-z 0-9 . _ -
bool valid_source_name(std::string_view name);

// What the plugin knows at the hook, as views into OpenVPN's environment (no copies).
struct EventFields {
    Kind kind = Kind::connect;
    std::string_view source;
    std::int64_t ts_us = 0;
    std::string_view common_name;
    std::string_view username;
    std::string_view real_ip;
    std::string_view real_port;
    std::string_view virtual_ip;
    std::string_view virtual_ipv6;
    std::string_view connected_at;
    std::string_view bytes_received;
    std::string_view bytes_sent;
    std::string_view duration;
    std::string_view sender_key;
};

// Writes the datagram into `out` without allocating; returns the number of bytes used.
// Empty fields are left out. Never fails: values are cut to fit.
std::size_t encode(const EventFields& fields, std::span<char, kMaxDatagram> out) noexcept;

// The decoded event, owning its strings.
struct Event {
    Kind kind = Kind::connect;
    std::string source;
    std::int64_t ts_us = 0;
    std::string common_name;
    std::string username;
    std::string real_ip;
    std::uint16_t real_port = 0;
    std::string virtual_ip;
    std::string virtual_ipv6;
    std::int64_t connected_at = 0;
    std::optional<std::uint64_t> bytes_received;
    std::optional<std::uint64_t> bytes_sent;
    std::optional<std::int64_t> duration;
    std::string sender_key;  // checked by the daemon, never posted or logged
};

// The error quotes what was wrong (at most 40 bytes of a bad field).
Result<Event> decode(std::string_view datagram);

}  // namespace omp::event

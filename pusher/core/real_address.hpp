// The Real Address column of OpenVPN's status output, in every form OpenVPN has printed it:
//   1.2.3.4:5555                      IPv4 with port (all versions)
//   2001:db8::1                       native IPv6 peer, no port (2.4 to 2.6)
//   udp4:1.2.3.4:5555                 protocol prefix (2.7)
//   tcp4-server:1.2.3.4:5555
//   udp6:[2001:db8::1]:5555
// An IPv4-mapped IPv6 address (::ffff:1.2.3.4, a dual-stack socket) becomes plain IPv4.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace omp {

struct RealAddress {
    std::string ip;
    std::optional<std::uint16_t> port;
};

// nullopt when the text is not an address in any of those forms.
std::optional<RealAddress> parse_real_address(std::string_view text);

// The plugin's trusted_ip in the same canonical form the status parser gives (so events and
// polled sessions compare equal); the text as is when it is not an address.
std::string canonical_real_ip(std::string_view text);

}  // namespace omp

// Parses `wg show IFACE dump`: the interface line (private key, public key, listen port,
// fwmark), then one tab-separated line per peer:
//   public-key preshared-key endpoint allowed-ips latest-handshake transfer-rx transfer-tx
//   persistent-keepalive
// `wg` prints no header, so the column order is wg(8)'s documented one, and a line with a
// different number of fields is rejected, not guessed at. The output holds the interface's
// private key and the preshared keys: nothing here keeps them or quotes a line in a message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/real_address.hpp"

namespace omp {

struct WgPeer {
    std::string public_key;
    std::optional<RealAddress> endpoint;   // none before the peer's first packet
    std::vector<std::string> allowed_ips;  // as printed, with the prefix length
    std::int64_t latest_handshake = 0;     // epoch seconds; 0 = never
    std::uint64_t transfer_rx = 0;         // bytes received from the peer
    std::uint64_t transfer_tx = 0;         // bytes sent to the peer
};

struct WgDump {
    std::vector<WgPeer> peers;
    std::size_t malformed_rows = 0;
    std::optional<std::string> first_malformed;  // which line and why, never its text
    std::optional<std::string> error;            // the output as a whole is unusable
};

WgDump parse_wg_dump(std::string_view text);

}  // namespace omp

// Parses the answer to a WireGuard UAPI `get=1` request (https://www.wireguard.com/xplatform/):
// `key=value` lines, the interface's first (private_key, listen_port, fwmark), then per peer
// from its `public_key=` line on (endpoint, allowed_ip repeated, last_handshake_time_sec,
// rx_bytes, tx_bytes, ...), ending with `errno=N` and an empty line. Keys are hex there and
// base64 everywhere else (wg, configs, peer maps), so public keys are turned into base64.
// Keys it does not know are skipped: newer implementations add some. The private and preshared
// keys are never kept nor quoted.
#pragma once

#include <string_view>

#include "wireguard/wg_dump.hpp"

namespace omp {

// Whether `text` holds a whole answer yet (it ends with the errno line and an empty line).
bool wg_uapi_answer_complete(std::string_view text);

WgDump parse_wg_uapi(std::string_view text);

}  // namespace omp

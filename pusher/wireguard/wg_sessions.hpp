// Turns the peers of one WireGuard interface into sessions. WireGuard has no connections: a
// peer counts as connected while its latest handshake is younger than the threshold (180 s by
// default: WireGuard re-keys every 2 minutes while packets flow and rejects keys older than
// 3 minutes, so an active peer never gets older than that).
//   username     its name from the peer names, else the public key
//   common_name  the public key
//   client_ip    the endpoint's address, client_port its port
//   virtual_ip   the first allowed IP without its prefix length; virtual_ipv6 the first IPv6 one
//   bytes        the transfer counters (rx = received from the peer)
//   connected_at the latest handshake; the daemon's HandshakeRuns turns it into the first
//                handshake of the current run (handshake_runs.hpp)
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/source_report.hpp"
#include "wireguard/wg_dump.hpp"
#include "wireguard/wg_peer_names.hpp"

namespace omp {

inline constexpr std::chrono::seconds kDefaultHandshakeTimeout{180};

ParsedStatus wg_sessions(WgDump dump, const std::string& source, const PeerNames& names,
                         std::int64_t now_epoch, std::chrono::seconds handshake_timeout);

}  // namespace omp

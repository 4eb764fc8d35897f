#include "wireguard/wg_dump.hpp"

#include "base/text_fields.hpp"
#include "wireguard/wg_peer_names.hpp"

namespace omp {

namespace {

constexpr std::size_t kInterfaceFields = 4;
constexpr std::size_t kPeerFields = 8;

std::optional<std::string> read_peer(const std::vector<std::string_view>& f, WgPeer& peer) {
    if (f.size() != kPeerFields) {
        return std::to_string(f.size()) + " fields, expected " + std::to_string(kPeerFields);
    }
    if (!looks_like_wg_key(f[0])) return "no public key in the first field";
    peer.public_key = std::string(f[0]);
    if (f[2] != "(none)") {
        peer.endpoint = parse_real_address(f[2]);
        if (!peer.endpoint) return "bad endpoint `" + std::string(f[2]) + "'";
    }
    if (f[3] != "(none)") {
        for (auto ip : split(f[3], ',')) {
            if (!ip.empty()) peer.allowed_ips.emplace_back(ip);
        }
    }
    auto handshake = parse_whole_number<std::int64_t>(f[4]);
    auto rx = parse_whole_number<std::uint64_t>(f[5]);
    auto tx = parse_whole_number<std::uint64_t>(f[6]);
    if (!handshake || *handshake < 0 || !rx || !tx)
        return "bad handshake time or transfer counters";
    peer.latest_handshake = *handshake;
    peer.transfer_rx = *rx;
    peer.transfer_tx = *tx;
    return std::nullopt;
}

}  // namespace

WgDump parse_wg_dump(std::string_view text) {
    WgDump dump;
    std::size_t line_number = 0;
    bool interface_seen = false;
    for (auto line : split(text, '\n')) {
        ++line_number;
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (line.empty()) continue;
        auto fields = split(line, '\t');
        if (!interface_seen) {
            if (fields.size() != kInterfaceFields) {
                dump.error = "not `wg show dump' output: the first line has " +
                             std::to_string(fields.size()) + " fields, expected " +
                             std::to_string(kInterfaceFields);
                return dump;
            }
            interface_seen = true;
            continue;
        }
        WgPeer peer;
        if (auto why = read_peer(fields, peer)) {
            ++dump.malformed_rows;
            if (!dump.first_malformed)
                dump.first_malformed = "line " + std::to_string(line_number) + ": " + *why;
            continue;
        }
        dump.peers.push_back(std::move(peer));
    }
    if (!interface_seen) dump.error = "empty `wg show dump' output";
    return dump;
}

}  // namespace omp

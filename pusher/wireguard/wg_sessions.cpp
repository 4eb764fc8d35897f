#include "wireguard/wg_sessions.hpp"

namespace omp {

namespace {

std::string without_prefix_length(const std::string& cidr) {
    return cidr.substr(0, cidr.find('/'));
}

bool connected(const WgPeer& peer, std::int64_t now_epoch, std::chrono::seconds threshold) {
    // A handshake "in the future" (the clock stepped back) is as fresh as one just now.
    return peer.latest_handshake > 0 && now_epoch - peer.latest_handshake <= threshold.count();
}

}  // namespace

ParsedStatus wg_sessions(WgDump dump, const std::string& source, const PeerNames& names,
                         std::int64_t now_epoch, std::chrono::seconds handshake_timeout) {
    ParsedStatus status;
    status.malformed_rows = dump.malformed_rows;
    status.first_malformed = std::move(dump.first_malformed);
    status.error = std::move(dump.error);
    for (auto& peer : dump.peers) {
        if (!connected(peer, now_epoch, handshake_timeout)) continue;
        Session s;
        s.source = source;
        const std::string* name = names.name_of(peer.public_key);
        s.username = name ? *name : peer.public_key;
        s.common_name = std::move(peer.public_key);
        if (peer.endpoint) {
            s.real_ip = peer.endpoint->ip;
            s.real_port = peer.endpoint->port;
        }
        if (!peer.allowed_ips.empty())
            s.virtual_ip = without_prefix_length(peer.allowed_ips.front());
        for (const auto& ip : peer.allowed_ips) {
            if (ip.find(':') != std::string::npos) {
                s.virtual_ipv6 = without_prefix_length(ip);
                break;
            }
        }
        s.bytes_received = peer.transfer_rx;
        s.bytes_sent = peer.transfer_tx;
        s.connected_at = peer.latest_handshake;
        status.sessions.push_back(std::move(s));
    }
    return status;
}

}  // namespace omp

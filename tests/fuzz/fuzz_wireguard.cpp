// libFuzzer: everything that reads WireGuard text, on arbitrary bytes: `wg show dump` output,
// a UAPI answer, and peer-name files (a peer map or a WireGuard config). Every peer that comes
// out must turn into a session without a crash, and a UAPI key must come out as base64.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wireguard/wg_dump.hpp"
#include "wireguard/wg_peer_names.hpp"
#include "wireguard/wg_sessions.hpp"
#include "wireguard/wg_uapi_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    omp::PeerNames names;
    (void)omp::parse_peer_names(text, "fuzz", names);
    (void)omp::wg_uapi_answer_complete(text);
    auto uapi = omp::parse_wg_uapi(text);
    for (const auto& peer : uapi.peers) {
        if (!peer.public_key.empty() && !omp::looks_like_wg_key(peer.public_key)) std::abort();
    }
    (void)omp::wg_sessions(std::move(uapi), "wg", names, 1800000000, std::chrono::seconds(180));
    (void)omp::wg_sessions(omp::parse_wg_dump(text), "wg", names, 1800000000,
                           std::chrono::seconds(180));
    return 0;
}

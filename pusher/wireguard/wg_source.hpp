// A WireGuard interface as a source (`--wg NAME=IFACE`), read one of two ways each poll:
//   - a userspace implementation (wireguard-go, boringtun) has a UAPI socket,
//     /run/wireguard/IFACE.sock: spoken to directly, in the caller's poll loop, no process
//     started (wg_uapi_query.hpp);
//   - a kernel interface has none: `wg show IFACE dump` reads it over netlink
//     (wg_command_query.hpp), which costs a process start per poll (docs/operators.md, "WireGuard
//     sources").
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "query/stream_query.hpp"
#include "wireguard/secret_text.hpp"
#include "wireguard/wg_dump.hpp"
#include "wireguard/wg_peer_names.hpp"

namespace omp {

// NAME is the payload's proto and the source's name.
struct WgInterface {
    std::string name;
    std::string iface;
};

Result<WgInterface> parse_wg_interface(std::string_view name_equals_iface);

inline constexpr const char* kDefaultWgUapiDir = "/run/wireguard";

struct WgOptions {
    std::chrono::milliseconds timeout{2000};
    std::chrono::seconds handshake_timeout{180};
    std::string command = "wg";                // looked up in PATH
    std::string uapi_dir = kDefaultWgUapiDir;  // where userspace implementations put their sockets
};

// One query per interface: over its UAPI socket when it has one, else with `wg`.
SourceQueries start_wg_queries(const std::vector<WgInterface>& interfaces, const WgOptions& options,
                               const std::shared_ptr<const PeerNames>& names,
                               SteadyClock::time_point now);

// What both WireGuard queries share beyond the stream life cycle: their report's name and
// kind, the error prefix, the deadline, and how an answer becomes the source's sessions.
class WgQuery : public StreamQuery {
  protected:
    WgQuery(const WgInterface& source, WgOptions options, std::shared_ptr<const PeerNames> names,
            SteadyClock::time_point now);
    // The connected peers as the source's sessions, or why not; wipes `answer` either way.
    void finish_with(WgDump dump, SecretText& answer);

    WgInterface source_;
    WgOptions options_;
    std::shared_ptr<const PeerNames> names_;
};

// Overwrites and empties what an interface said: its private key was in it.
void wipe_wg_answer(SecretText& answer);

}  // namespace omp

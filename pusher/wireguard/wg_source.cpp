#include "wireguard/wg_source.hpp"

#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>

#include "event/event_datagram.hpp"
#include "wireguard/wg_command_query.hpp"
#include "wireguard/wg_sessions.hpp"
#include "wireguard/wg_uapi_query.hpp"

namespace omp {

namespace {

Error bad(std::string_view spec, std::string_view why) {
    return error("bad WireGuard interface `" + std::string(spec) + "': " + std::string(why));
}

// Interface names are at most 15 bytes (IFNAMSIZ - 1), and become a socket file name.
bool valid_iface(std::string_view iface) {
    if (iface.empty() || iface.size() > 15 || iface == "." || iface == "..") return false;
    return std::all_of(iface.begin(), iface.end(),
                       [](char c) { return c > ' ' && c < 0x7f && c != '/' && c != ':'; });
}

bool is_socket(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

}  // namespace

Result<WgInterface> parse_wg_interface(std::string_view spec) {
    std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) return bad(spec, "expected NAME=IFACE");
    WgInterface wg{std::string(spec.substr(0, eq)), std::string(spec.substr(eq + 1))};
    if (!event::valid_source_name(wg.name))
        return bad(spec, "name must be 1-32 characters of A-Z a-z 0-9 . _ -");
    if (!valid_iface(wg.iface))
        return bad(spec,
                   "`" + wg.iface + "' is not an interface name (1-15 characters, no / or :)");
    return wg;
}

SourceQueries start_wg_queries(const std::vector<WgInterface>& interfaces, const WgOptions& options,
                               const std::shared_ptr<const PeerNames>& names,
                               SteadyClock::time_point now) {
    SourceQueries queries;
    for (const auto& wg : interfaces) {
        std::string socket = options.uapi_dir + "/" + wg.iface + ".sock";
        if (is_socket(socket)) {
            queries.push_back(std::make_unique<WgUapiQuery>(wg, socket, options, names, now));
        } else {
            queries.push_back(std::make_unique<WgCommandQuery>(wg, options, names, now));
        }
    }
    return queries;
}

WgQuery::WgQuery(const WgInterface& source, WgOptions options,
                 std::shared_ptr<const PeerNames> names, SteadyClock::time_point now)
    : StreamQuery(source.name, kWireGuardKind, "WireGuard " + source.iface + ": ", options.timeout,
                  now),
      source_(source),
      options_(std::move(options)),
      names_(std::move(names)) {}

void WgQuery::finish_with(WgDump dump, SecretText& answer) {
    auto status = wg_sessions(std::move(dump), source_.name, *names_, std::time(nullptr),
                              options_.handshake_timeout);
    wipe_wg_answer(answer);
    if (status.error) {
        std::string what = *status.error;
        return fail(what, std::move(status));
    }
    succeed(std::move(status));
}

void wipe_wg_answer(SecretText& answer) {
    explicit_bzero(answer.data(), answer.size());
    answer.clear();
}

}  // namespace omp

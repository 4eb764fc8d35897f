#include "openvpn/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <set>

#include "base/text_fields.hpp"
#include "event/event_datagram.hpp"

namespace omp {

namespace {

Error bad(std::string_view spec, std::string_view why) {
    return error("bad management address `" + std::string(spec) + "': " + std::string(why));
}

// unix:PATH: an absolute path that fits sun_path.
Status set_unix_address(std::string_view spec, std::string_view path, Endpoint& ep) {
    sockaddr_un un{};
    if (path.empty() || path.front() != '/' || path.size() >= sizeof un.sun_path) {
        return bad(spec, "unix socket path must be absolute and under 108 bytes");
    }
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, path.data(), path.size());
    std::memcpy(&ep.sockaddr, &un, sizeof un);
    ep.sockaddr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    return Ok{};
}

// HOST:PORT or [IPV6]:PORT, with a numeric host (or localhost): no DNS at start.
Status set_inet_address(std::string_view spec, std::string_view addr, Endpoint& ep) {
    std::string host;
    std::string_view port_text;
    if (addr.starts_with('[')) {
        std::size_t close = addr.find("]:");
        if (close == std::string_view::npos) return bad(spec, "expected [IPV6]:PORT");
        host = addr.substr(1, close - 1);
        port_text = addr.substr(close + 2);
    } else {
        std::size_t colon = addr.rfind(':');
        if (colon == std::string_view::npos) return bad(spec, "missing :PORT");
        host = addr.substr(0, colon);
        port_text = addr.substr(colon + 1);
    }
    auto port = parse_whole_number<unsigned>(port_text);
    if (!port || *port == 0 || *port > 65535) {
        return bad(spec, "port `" + std::string(port_text) + "' is not a number from 1 to 65535");
    }
    if (host == "localhost") host = "127.0.0.1";

    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(static_cast<std::uint16_t>(*port));
        std::memcpy(&ep.sockaddr, &v4, sizeof v4);
        ep.sockaddr_len = sizeof v4;
    } else if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(static_cast<std::uint16_t>(*port));
        std::memcpy(&ep.sockaddr, &v6, sizeof v6);
        ep.sockaddr_len = sizeof v6;
    } else {
        return bad(spec, "host `" + host + "' is not a numeric IPv4/IPv6 address or localhost");
    }
    return Ok{};
}

}  // namespace

Result<Endpoint> parse_endpoint(std::string_view spec) {
    std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) return bad(spec, "expected NAME=HOST:PORT or NAME=unix:PATH");
    Endpoint ep;
    ep.name = spec.substr(0, eq);
    ep.address = spec.substr(eq + 1);
    if (!event::valid_source_name(ep.name))
        return bad(spec, "name must be 1-32 characters of A-Z a-z 0-9 . _ -");
    std::string_view addr = ep.address;
    auto set = addr.starts_with("unix:") ? set_unix_address(spec, addr.substr(5), ep)
                                         : set_inet_address(spec, addr, ep);
    if (!set) return set.error();
    return ep;
}

Result<std::vector<Endpoint>> parse_endpoint_list(std::string_view list) {
    std::vector<Endpoint> endpoints;
    for (const auto& item : comma_list(list)) {
        auto ep = parse_endpoint(item);
        if (!ep) return ep.error();
        endpoints.push_back(std::move(*ep));
    }
    if (auto unique = check_unique_names(endpoints); !unique) return unique.error();
    return endpoints;
}

Status check_unique_names(const std::vector<Endpoint>& endpoints) {
    std::set<std::string> seen;
    for (const auto& ep : endpoints) {
        if (!seen.insert(ep.name).second) {
            return error("management endpoint name `" + ep.name + "' is given twice");
        }
    }
    return Ok{};
}

}  // namespace omp

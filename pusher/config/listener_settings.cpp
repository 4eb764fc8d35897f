#include "config/listener_settings.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace omp {

namespace {

bool loopback(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET) {
        auto ip = ntohl(reinterpret_cast<const sockaddr_in&>(address).sin_addr.s_addr);
        return (ip >> 24) == 127;
    }
    if (address.ss_family == AF_INET6) {
        return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6&>(address).sin6_addr);
    }
    return false;
}

// A switch: "1", "yes" or "true" (what the flag alone gives), or "0", "no", "false".
Result<bool> parse_switch(const Given& g, std::string_view variable) {
    const std::string& v = g.value();
    if (v == "1" || v == "yes" || v == "true") return true;
    if (v == "0" || v == "no" || v == "false" || v.empty()) return false;
    return error("bad " + std::string(variable) + " `" + v + "': expected 1 or 0");
}

}  // namespace

Status apply_metrics_listen(const Given& g, Draft& d) {
    if (g.values.empty() || g.value().empty()) return Ok{};
    auto parsed = parse_endpoint("metrics=" + g.value());
    if (!parsed || parsed->sockaddr.ss_family == AF_UNIX) {
        return error("bad metrics address `" + g.value() +
                     "': expected ADDR:PORT, e.g. 127.0.0.1:9469 or [::1]:9469");
    }
    MetricsConfig metrics;
    metrics.address = g.value();
    metrics.sockaddr = parsed->sockaddr;
    metrics.sockaddr_len = parsed->sockaddr_len;
    metrics.loopback = loopback(parsed->sockaddr);
    d.settings.metrics = std::move(metrics);
    return Ok{};
}

Status apply_mgmt_proxies(const Given& g, Draft& d) {
    for (const auto& spec : g.values) {
        if (spec.empty()) continue;
        auto parsed = parse_endpoint(spec);
        if (!parsed) return error("bad management proxy `" + spec + "': " + parsed.error().message);
        auto& endpoints = d.settings.endpoints;
        auto source = std::find_if(endpoints.begin(), endpoints.end(),
                                   [&](const Endpoint& ep) { return ep.name == parsed->name; });
        if (source == endpoints.end()) {
            return error("bad management proxy `" + spec + "': `" + parsed->name +
                         "' is not a --mgmt endpoint name");
        }
        for (const auto& other : d.settings.mgmt_proxies) {
            if (other.instance == parsed->name)
                return error("management proxy for `" + parsed->name + "' is given twice");
        }
        // A unix path already in use is OpenVPN's or ours: the proxy would take it over.
        bool taken = parsed->sockaddr.ss_family == AF_UNIX &&
                     (parsed->address == "unix:" + d.settings.event_socket ||
                      std::any_of(endpoints.begin(), endpoints.end(), [&](const Endpoint& ep) {
                          return ep.address == parsed->address;
                      }));
        if (taken) {
            return error("bad management proxy `" + spec + "': `" + parsed->address +
                         "' is a management or event socket already");
        }
        source->keep_transcript = true;
        ProxyConfig proxy;
        proxy.instance = parsed->name;
        proxy.address = parsed->address;
        proxy.sockaddr = parsed->sockaddr;
        proxy.sockaddr_len = parsed->sockaddr_len;
        proxy.loopback = parsed->sockaddr.ss_family == AF_UNIX || loopback(parsed->sockaddr);
        d.settings.mgmt_proxies.push_back(std::move(proxy));
    }
    return Ok{};
}

Status apply_proxy_socket_mode(const Given& g, Draft& d) {
    const std::string& text = g.value();
    char* end = nullptr;
    unsigned long mode = std::strtoul(text.c_str(), &end, 8);
    if (text.empty() || *end != '\0' || mode > 0777) {
        return error("bad management proxy socket mode `" + text + "': expected octal, e.g. 0660");
    }
    for (auto& proxy : d.settings.mgmt_proxies) proxy.socket_mode = static_cast<mode_t>(mode);
    return Ok{};
}

Status apply_proxy_socket_user(const Given& g, Draft& d) {
    if (g.values.empty() || g.value().empty()) return Ok{};
    const passwd* found = getpwnam(g.value().c_str());
    if (!found) return error("bad management proxy socket user `" + g.value() + "': no such user");
    for (auto& proxy : d.settings.mgmt_proxies) proxy.socket_user = found->pw_uid;
    return Ok{};
}

Status apply_proxy_socket_group(const Given& g, Draft& d) {
    if (g.values.empty() || g.value().empty()) return Ok{};
    errno = 0;
    const group* found = getgrnam(g.value().c_str());
    if (!found)
        return error("bad management proxy socket group `" + g.value() + "': no such group");
    for (auto& proxy : d.settings.mgmt_proxies) proxy.socket_group = found->gr_gid;
    return Ok{};
}

Status apply_metrics_no_sessions(const Given& g, Draft& d) {
    auto on = parse_switch(g, "METRICS_NO_SESSIONS");
    if (!on) return on.error();
    d.metrics_per_session = !*on;
    return Ok{};
}

namespace {

// METRICS_AUTH_FILE: one line USER:PASSWORD, in a file only its owner may read or write.
Status read_metrics_credentials(MetricsConfig& metrics, SecretReader read_secret_file) {
    const std::string& path = *metrics.auth_file;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return error("cannot read metrics auth file `" + path + "'");
    if (st.st_mode & 077) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return error("metrics auth file `" + path + "' is mode " + mode +
                     "; it must be 0600 (chmod 600 " + path + ")");
    }
    std::vector<std::string> unused;
    auto line = read_secret_file(path, "metrics auth", unused);
    if (!line) return line.error();
    auto colon = line->find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == line->size()) {
        return error("metrics auth file `" + path + "' must hold one line USER:PASSWORD");
    }
    metrics.user = line->substr(0, colon);
    metrics.password = line->substr(colon + 1);
    return Ok{};
}

}  // namespace

Status check_listeners(Draft& draft) {
    Settings& settings = draft.settings;
    settings.mgmt_proxy_password_file = draft.proxy_password_file;
    for (const auto& proxy : settings.mgmt_proxies) {
        if (!proxy.loopback && !settings.mgmt_proxy_password_file) {
            return error("management proxy `" + proxy.address +
                         "' would be open to the network: give MGMT_PROXY_PASSWORD_FILE or "
                         "listen on 127.0.0.1 or a unix socket");
        }
    }
    if (settings.metrics) {
        settings.metrics->per_session = draft.metrics_per_session;
        settings.metrics->auth_file = draft.metrics_auth_file;
        if (!settings.metrics->loopback && !settings.metrics->auth_file) {
            return error("metrics on `" + settings.metrics->address +
                         "' would be open to the network, and they name users and their "
                         "addresses: give METRICS_AUTH_FILE (USER:PASSWORD, mode 0600) or "
                         "listen on 127.0.0.1");
        }
    }
    return Ok{};
}

Status read_listener_files(Settings& settings, SecretReader read_secret_file) {
    if (settings.mgmt_proxy_password_file && !settings.mgmt_proxies.empty()) {
        auto password = read_secret_file(*settings.mgmt_proxy_password_file,
                                         "management proxy password", settings.warnings);
        if (!password) return password.error();
        for (auto& proxy : settings.mgmt_proxies) proxy.password = *password;
    }
    if (settings.metrics && settings.metrics->auth_file) {
        if (auto read = read_metrics_credentials(*settings.metrics, read_secret_file); !read)
            return read.error();
    }
    return Ok{};
}

}  // namespace omp

#include "metrics/metrics_server.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "base/log.hpp"
#include "base/secret.hpp"

namespace omp {

namespace {

constexpr const char* kTextFormat = "text/plain; version=0.0.4; charset=utf-8";

// libmicrohttpd's own messages (a refused connection, a bad request) go to the journal, once
// per line and escaped like every other.
void log_from_library(void*, const char* format, va_list args) {
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    std::string line = std::string("metrics: ") + text;
    while (!line.empty() && line.back() == '\n') line.pop_back();
    log::warning(line);
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const MetricsConfig& config,
                                                            Render render) {
    auto mhd = MicrohttpdLibrary::load();
    if (!mhd) return mhd.error();
    std::unique_ptr<MetricsServer> server(new MetricsServer(*mhd, config, std::move(render)));
    unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (config.sockaddr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    // The logger first: libmicrohttpd says so, or it may print with its own before.
    server->daemon_ = mhd->start_daemon(
        flags, 0, nullptr, nullptr, &MetricsServer::answer, server.get(),
        MHD_OPTION_EXTERNAL_LOGGER, &log_from_library, nullptr, MHD_OPTION_SOCK_ADDR,
        reinterpret_cast<const sockaddr*>(&config.sockaddr), MHD_OPTION_CONNECTION_LIMIT,
        kMaxConnections, MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds, MHD_OPTION_END);
    if (!server->daemon_) {
        return error("cannot serve metrics on " + config.address + ": " + std::strerror(errno));
    }
    const MHD_DaemonInfo* info = mhd->get_daemon_info(server->daemon_, MHD_DAEMON_INFO_EPOLL_FD);
    if (!info) return error("cannot serve metrics on " + config.address + ": no epoll descriptor");
    server->epoll_fd_ = info->epoll_fd;
    return server;
}

MetricsServer::MetricsServer(MicrohttpdLibrary mhd, const MetricsConfig& config, Render render)
    : mhd_(mhd), config_(config), render_(std::move(render)) {}

MetricsServer::~MetricsServer() {
    if (daemon_) mhd_.stop_daemon(daemon_);
}

void MetricsServer::run() {
    mhd_.run(daemon_);
}

std::optional<std::chrono::milliseconds> MetricsServer::timeout() const {
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (mhd_.get_timeout(daemon_, &ms) != MHD_YES) return std::nullopt;
    return std::chrono::milliseconds(
        static_cast<long long>(std::min<MHD_UNSIGNED_LONG_LONG>(ms, 60000)));
}

MHD_Result MetricsServer::answer(void* self, MHD_Connection* connection, const char* url,
                                 const char* method, const char*, const char*, size_t*, void**) {
    auto& server = *static_cast<MetricsServer*>(self);
    bool get = std::strcmp(method, "GET") == 0, head = std::strcmp(method, "HEAD") == 0;
    if (!get && !head) return server.respond(connection, 405, "only GET\n", "text/plain");
    if (!server.authorised(connection)) {
        auto* response = server.mhd_.create_response_from_buffer(
            std::strlen("credentials needed\n"), const_cast<char*>("credentials needed\n"),
            MHD_RESPMEM_PERSISTENT);
        if (!response) return MHD_NO;
        MHD_Result queued =
            server.mhd_.queue_basic_auth_fail_response(connection, "ovpn-mgmt-push", response);
        server.mhd_.destroy_response(response);
        return queued;
    }
    if (std::strcmp(url, "/metrics") != 0) {
        return server.respond(connection, 404, "metrics are at /metrics\n", "text/plain");
    }
    ++server.scrapes_;
    return server.respond(connection, 200, server.render_(), kTextFormat);
}

bool MetricsServer::authorised(MHD_Connection* connection) const {
    if (config_.user.empty()) return true;
    char* password = nullptr;
    char* user = mhd_.basic_auth_get_username_password(connection, &password);
    bool ok = user && password && same_secret(user, config_.user) &&
              same_secret(password, config_.password);
    if (user) mhd_.free(user);
    if (password) {
        std::memset(password, 0, std::strlen(password));
        mhd_.free(password);
    }
    return ok;
}

MHD_Result MetricsServer::respond(MHD_Connection* connection, unsigned status,
                                  const std::string& body, const char* content_type) {
    auto* response = mhd_.create_response_from_buffer(body.size(), const_cast<char*>(body.data()),
                                                      MHD_RESPMEM_MUST_COPY);
    if (!response) return MHD_NO;
    mhd_.add_response_header(response, "Content-Type", content_type);
    MHD_Result queued = mhd_.queue_response(connection, status, response);
    mhd_.destroy_response(response);
    return queued;
}

}  // namespace omp

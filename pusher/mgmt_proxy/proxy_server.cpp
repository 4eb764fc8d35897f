#include "mgmt_proxy/proxy_server.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/socket_io.hpp"
#include "base/unix_socket_file.hpp"

namespace omp {

namespace {

std::string failed(const ProxyConfig& config, const char* what) {
    return "management proxy " + config.address + ": " + what + ": " + std::strerror(errno);
}

}  // namespace

Result<std::unique_ptr<MgmtProxy>> MgmtProxy::open(const ProxyConfig& config) {
    int family = config.sockaddr.ss_family;
    int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return error(failed(config, "socket"));
    std::unique_ptr<MgmtProxy> proxy(new MgmtProxy(config, fd));
    if (family == AF_UNIX) {
        const char* path = reinterpret_cast<const sockaddr_un&>(config.sockaddr).sun_path;
        auto file = bind_unix_socket(fd, path, SOCK_STREAM, config.socket_mode,
                                     "management proxy " + config.address);
        if (!file) return file.error();
        proxy->file_ = std::move(*file);
        bool owned = config.socket_user || config.socket_group;
        if (owned && ::chown(path, config.socket_user.value_or(uid_t(-1)),
                             config.socket_group.value_or(gid_t(-1))) != 0) {
            return error(failed(config, "chown"));
        }
    } else {
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&config.sockaddr), config.sockaddr_len) !=
            0) {
            return error(failed(config, "bind"));
        }
    }
    if (::listen(fd, 64) != 0) return error(failed(config, "listen"));
    return proxy;
}

MgmtProxy::MgmtProxy(ProxyConfig config, int listen_fd)
    : config_(std::move(config)), listen_fd_(listen_fd) {}

MgmtProxy::~MgmtProxy() {
    for (auto& c : clients_) ::close(c.fd);
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

void MgmtProxy::descriptors(std::vector<pollfd>& fds) const {
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const auto& c : clients_) {
        // While an answer is unsent, only the chance to send it is awaited (and a hang-up,
        // which poll reports anyway).
        short events = c.session.output().empty() ? POLLIN : POLLOUT;
        fds.push_back({c.fd, events, 0});
    }
}

void MgmtProxy::serve(const pollfd* ready, std::size_t count, const MgmtTranscript* transcript,
                      Clock::time_point now) {
    // Clients first: the pollfds after the listener are theirs, in order, as descriptors()
    // listed them; accepting would change that order.
    std::vector<Client> kept;
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        Client& c = clients_[i];
        short revents = i + 1 < count ? ready[i + 1].revents : 0;
        if (revents & POLLNVAL) revents |= POLLERR;
        bool alive = !(revents & POLLERR) &&
                     drive(c, (revents & (POLLIN | POLLHUP)) != 0, transcript, now) &&
                     now - c.last_active < config_.idle_timeout;
        if (alive) {
            kept.push_back(std::move(c));
        } else {
            ::close(c.fd);
        }
    }
    clients_ = std::move(kept);
    if (count > 0 && (ready[0].revents & POLLIN)) accept_clients(transcript, now);
}

std::optional<MgmtProxy::Clock::time_point> MgmtProxy::next_deadline() const {
    std::optional<Clock::time_point> first;
    for (const auto& c : clients_) {
        auto due = c.last_active + config_.idle_timeout;
        if (!first || due < *first) first = due;
    }
    return first;
}

bool MgmtProxy::drive(Client& client, bool readable, const MgmtTranscript* transcript,
                      Clock::time_point now) {
    ProxySession& session = client.session;
    std::size_t unsent = session.output().size();
    if (send_pending(client.fd, session.output()) != 0) return false;
    if (session.output().size() != unsent) client.last_active = now;
    session.answer_waiting(transcript);
    if (readable && session.reading()) {
        int failed = read_a_turn(
            client.fd,
            [&](ReadOutcome outcome, std::string_view data) {
                if (outcome == ReadOutcome::closed) session.peer_closed(transcript);
                if (outcome != ReadOutcome::data) return false;
                client.last_active = now;
                session.received(data, transcript);
                return session.reading();
            },
            kReadPerTurn);
        if (failed != 0) return false;
    }
    if (send_pending(client.fd, session.output()) != 0) return false;
    return !session.finished();
}

void MgmtProxy::close_longest_idle() {
    auto longest = std::min_element(
        clients_.begin(), clients_.end(),
        [](const Client& a, const Client& b) { return a.last_active < b.last_active; });
    if (longest == clients_.end()) return;
    ::close(longest->fd);
    clients_.erase(longest);
}

void MgmtProxy::accept_clients(const MgmtTranscript* transcript, Clock::time_point now) {
    for (;;) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN: all taken; anything else: the next turn tries again
        // A full proxy serves the newcomer: the client idle longest makes room. Holding every
        // slot takes more than opening connections and sending nothing.
        if (clients_.size() >= kMaxClients) close_longest_idle();
        Client c{fd, ProxySession(config_.instance, config_.password), now};
        c.session.begin(transcript);
        if (send_pending(fd, c.session.output()) != 0) {
            ::close(fd);
            continue;
        }
        clients_.push_back(std::move(c));
    }
}

}  // namespace omp

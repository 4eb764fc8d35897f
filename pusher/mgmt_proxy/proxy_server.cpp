#include "mgmt_proxy/proxy_server.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/log.hpp"
#include "base/secret.hpp"
#include "base/unix_socket_file.hpp"
#include "mgmt_proxy/proxy_answers.hpp"

namespace omp {

namespace {

constexpr std::string_view kDefaultGreeting =
    ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info";
constexpr std::string_view kPasswordPrompt = "ENTER PASSWORD:";

std::string failed(const ProxyConfig& config, const char* what) {
    return "management proxy " + config.address + ": " + what + ": " + std::strerror(errno);
}

}  // namespace

Result<std::unique_ptr<MgmtProxy>> MgmtProxy::open(const ProxyConfig& config) {
    int family = config.sockaddr.ss_family;
    int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return error(failed(config, "socket"));
    std::unique_ptr<MgmtProxy> proxy(new MgmtProxy(config, fd));
    const auto* path = reinterpret_cast<const sockaddr_un&>(config.sockaddr).sun_path;
    if (family == AF_UNIX) {
        // A socket left by a daemon that was killed goes; never a socket in use (OpenVPN's own,
        // say). A file of another kind stays, and bind fails, naming it.
        struct stat st {};
        if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
            auto cleared =
                clear_stale_socket(path, SOCK_STREAM, "management proxy " + config.address);
            if (!cleared) return cleared.error();
        }
    } else {
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    }
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&config.sockaddr), config.sockaddr_len) != 0) {
        return error(failed(config, "bind"));
    }
    proxy->bound_ = true;
    if (family == AF_UNIX) {
        if (::chmod(path, config.socket_mode) != 0) return error(failed(config, "chmod"));
        bool owned = config.socket_user || config.socket_group;
        if (owned && ::chown(path, config.socket_user.value_or(uid_t(-1)),
                             config.socket_group.value_or(gid_t(-1))) != 0) {
            return error(failed(config, "chown"));
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
    if (bound_ && config_.sockaddr.ss_family == AF_UNIX) {
        ::unlink(reinterpret_cast<const sockaddr_un&>(config_.sockaddr).sun_path);
    }
}

void MgmtProxy::descriptors(std::vector<pollfd>& fds) const {
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const auto& c : clients_) {
        // While an answer is unsent, only the chance to send it is awaited (and a hang-up,
        // which poll reports anyway).
        fds.push_back({c.fd, static_cast<short>(c.pending() ? POLLOUT : POLLIN), 0});
    }
}

void MgmtProxy::serve(const pollfd* ready, std::size_t count, const MgmtTranscript* transcript) {
    // Clients first: the pollfds after the listener are theirs, in order, as descriptors()
    // listed them; accepting would change that order.
    std::vector<Client> kept;
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        Client& c = clients_[i];
        short revents = i + 1 < count ? ready[i + 1].revents : 0;
        if (revents & POLLNVAL) revents |= POLLERR;
        bool alive =
            !(revents & POLLERR) && drive(c, (revents & (POLLIN | POLLHUP)) != 0, transcript);
        if (alive) {
            kept.push_back(std::move(c));
        } else {
            ::close(c.fd);
        }
    }
    clients_ = std::move(kept);
    if (count > 0 && (ready[0].revents & POLLIN)) accept_clients(transcript);
}

bool MgmtProxy::drive(Client& client, bool readable, const MgmtTranscript* transcript) {
    if (!flush(client)) return false;
    answer_lines(client, transcript);
    if (readable && !client.pending() && !client.peer_done) {
        char buffer[4096];
        for (std::size_t taken = 0; taken < kReadPerTurn && !client.pending();) {
            ssize_t n = ::recv(client.fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n == 0) {
                client.peer_done = true;  // what it asked before it closed is still answered
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return false;
            }
            if (n <= 0) break;
            client.in.append(buffer, static_cast<std::size_t>(n));
            taken += static_cast<std::size_t>(n);
            answer_lines(client, transcript);
        }
    }
    if (client.in.size() > kMaxLine && client.in.find('\n') == std::string::npos) return false;
    if (!flush(client)) return false;
    return !(client.peer_done && !client.pending());
}

// Answers the complete lines read so far, one at a time, until an answer cannot be sent at once.
void MgmtProxy::answer_lines(Client& client, const MgmtTranscript* transcript) {
    std::size_t nl;
    while (!client.pending() && !(client.peer_done && client.in.empty()) &&
           (nl = client.in.find('\n')) != std::string::npos) {
        std::string line = client.in.substr(0, nl);
        client.in.erase(0, nl + 1);
        if (!on_line(client, line, transcript)) {
            client.peer_done = true;
            client.in.clear();
        }
        if (!flush(client)) return;
    }
}

std::string MgmtProxy::greeting(const MgmtTranscript* transcript) {
    return std::string(transcript && !transcript->greeting.empty() ? transcript->greeting
                                                                   : kDefaultGreeting) +
           "\n";
}

void MgmtProxy::accept_clients(const MgmtTranscript* transcript) {
    for (;;) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN: all taken; anything else: the next turn tries again
        if (clients_.size() >= kMaxClients) {
            static constexpr char kFull[] = "ERROR: too many management clients\r\n";
            (void)::send(fd, kFull, sizeof kFull - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            ::close(fd);
            continue;
        }
        Client c;
        c.fd = fd;
        c.authorised = !config_.password;
        if (c.authorised) {
            queue(c, greeting(transcript));
        } else {
            c.out = std::string(kPasswordPrompt);  // OpenVPN prompts without a newline
        }
        if (!flush(c)) {
            ::close(fd);
            continue;
        }
        clients_.push_back(std::move(c));
    }
}

bool MgmtProxy::on_line(Client& client, std::string_view line, const MgmtTranscript* transcript) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!client.authorised) {
        if (!same_secret(line, *config_.password)) {
            queue(client, "ERROR: bad password\n");
            return false;
        }
        client.authorised = true;
        queue(client, "SUCCESS: password is correct\n" + greeting(transcript));
        return true;
    }
    auto answer = answer_command(line, transcript, config_.instance);
    queue(client, answer.text);
    return !answer.close;
}

// OpenVPN ends every management line with \r\n; tools such as openvpn-monitor rely on it.
void MgmtProxy::queue(Client& client, std::string_view text) {
    if (!client.pending()) {
        client.out.clear();
        client.sent = 0;
    }
    client.out.reserve(client.out.size() + text.size() + text.size() / 16);
    for (char c : text) {
        if (c == '\n') client.out += '\r';
        client.out += c;
    }
}

bool MgmtProxy::flush(Client& client) {
    while (!client.out.empty()) {
        ssize_t n =
            ::send(client.fd, client.out.data(), client.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        client.out.erase(0, static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace omp

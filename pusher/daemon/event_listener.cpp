#include "daemon/event_listener.hpp"

#include <errno.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/log.hpp"
#include "base/unix_socket_file.hpp"
#include "event/sender_key.hpp"

namespace omp {

Result<std::unique_ptr<EventListener>> EventListener::open(const std::string& path,
                                                           const std::string& allowed_user) {
    passwd* pw = getpwnam(allowed_user.c_str());
    if (!pw) return error("event user `" + allowed_user + "' does not exist");
    uid_t allowed_uid = pw->pw_uid;

    if (auto dir = event::make_parent_directory(path); !dir) return dir.error();
    auto key = event::load_or_create_sender_key(event::sender_key_path(path));
    if (!key) return key.error();

    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return error(std::string("socket: ") + std::strerror(errno));
    // 0600, then owned by OpenVPN's user: only it and root may send.
    auto file = bind_unix_socket(fd, path, SOCK_DGRAM, 0600, "event socket `" + path + "'");
    if (!file) {
        close(fd);
        return file.error();
    }
    if (geteuid() == 0 && chown(path.c_str(), allowed_uid, 0) != 0) {
        int err = errno;
        close(fd);
        return error("cannot chown event socket `" + path + "': " + std::strerror(err));
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    int buffer = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);

    return std::unique_ptr<EventListener>(
        new EventListener(std::move(*file), fd, allowed_uid, std::move(*key)));
}

EventListener::EventListener(UnixSocketFile file, int fd, uid_t allowed_uid, std::string key)
    : file_(std::move(file)), fd_(fd), allowed_uid_(allowed_uid), sender_key_(std::move(key)) {}

EventListener::~EventListener() {
    close(fd_);
}

void EventListener::reject(std::uint64_t& counter, RateLimit& limit, const std::string& why) {
    ++counter;
    if (auto held = limit.allow(std::chrono::steady_clock::now())) {
        std::string line = "event dropped: " + why;
        if (*held > 0) line += " (" + std::to_string(*held) + " similar drops not logged)";
        log::warning(line);
    }
}

void EventListener::drain(std::vector<event::Event>& out, std::size_t budget) {
    char data[event::kMaxDatagram + 1];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    for (std::size_t i = 0; i < budget; ++i) {
        iovec iov{data, sizeof data};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // EAGAIN: drained
        }
        const ucred* cred = nullptr;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                cred = reinterpret_cast<const ucred*>(CMSG_DATA(c));
            }
        }
        if (!cred || (cred->uid != 0 && cred->uid != allowed_uid_)) {
            reject(counters_.foreign_sender, foreign_log_,
                   cred ? "sender uid " + std::to_string(cred->uid) + " (pid " +
                              std::to_string(cred->pid) + ") is neither root nor the event user"
                        : std::string("no sender credentials"));
            continue;
        }
        if ((msg.msg_flags & MSG_TRUNC) || static_cast<std::size_t>(n) > event::kMaxDatagram) {
            reject(counters_.malformed, malformed_log_,
                   "datagram over " + std::to_string(event::kMaxDatagram) + " bytes");
            continue;
        }
        auto decoded = event::decode(std::string_view(data, static_cast<std::size_t>(n)));
        if (!decoded) {
            reject(counters_.malformed, malformed_log_, decoded.error().message);
            continue;
        }
        if (!event::same_key(decoded->sender_key, sender_key_)) {
            reject(counters_.foreign_sender, foreign_log_,
                   "pid " + std::to_string(cred->pid) + " (uid " + std::to_string(cred->uid) +
                       ") sent no valid sender key: not an OpenVPN server with the plugin "
                       "loaded (one started before " +
                       event::sender_key_path(file_.path()) + " existed needs a restart)");
            continue;
        }
        ++counters_.accepted;
        out.push_back(std::move(*decoded));
    }
}

}  // namespace omp

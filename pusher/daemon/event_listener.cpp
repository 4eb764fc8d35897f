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

namespace {

sockaddr_un unix_address(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

}  // namespace

Result<std::unique_ptr<EventListener>> EventListener::open(const std::string& path,
                                                           const std::string& allowed_user) {
    passwd* pw = getpwnam(allowed_user.c_str());
    if (!pw) return error("event user `" + allowed_user + "' does not exist");
    uid_t allowed_uid = pw->pw_uid;

    if (auto dir = event::make_parent_directory(path); !dir) return dir.error();
    if (auto stale = clear_stale_socket(path, SOCK_DGRAM, "event socket"); !stale)
        return stale.error();
    auto key = event::load_or_create_sender_key(event::sender_key_path(path));
    if (!key) return key.error();

    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return error(std::string("socket: ") + std::strerror(errno));
    sockaddr_un address = unix_address(path);
    mode_t old_mask = umask(0177);  // born 0600: no window in which others may send
    int rc = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    int err = errno;
    umask(old_mask);
    if (rc != 0) {
        close(fd);
        return error("cannot bind event socket `" + path + "': " + std::strerror(err));
    }
    if (geteuid() == 0 && chown(path.c_str(), allowed_uid, 0) != 0) {
        err = errno;
        close(fd);
        unlink(path.c_str());
        return error("cannot chown event socket `" + path + "': " + std::strerror(err));
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    int buffer = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);

    struct stat st {};
    lstat(path.c_str(), &st);
    return std::unique_ptr<EventListener>(
        new EventListener(path, fd, allowed_uid, st.st_ino, std::move(*key)));
}

EventListener::EventListener(std::string path, int fd, uid_t allowed_uid, ino_t inode,
                             std::string key)
    : path_(std::move(path)),
      fd_(fd),
      allowed_uid_(allowed_uid),
      inode_(inode),
      sender_key_(std::move(key)) {}

EventListener::~EventListener() {
    close(fd_);
    // Remove the file only if it is still ours, not a successor's.
    struct stat st {};
    if (lstat(path_.c_str(), &st) == 0 && st.st_ino == inode_) unlink(path_.c_str());
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
                       event::sender_key_path(path_) + " existed needs a restart)");
            continue;
        }
        ++counters_.accepted;
        out.push_back(std::move(*decoded));
    }
}

}  // namespace omp

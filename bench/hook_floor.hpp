// What both hook shims (hook_timer.so, hook_steps.so) time against: the floor, one bare 200-byte
// sendto() by path to a Unix datagram socket whose receiver sleeps in poll(). A floor send that
// fails woke no one, so it measured nothing: failures are counted and reported, never hidden.
#pragma once

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>

namespace omp::bench {

inline long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct UnixAddress {
    sockaddr_un address{};
    socklen_t len = 0;

    void set(const std::string& path) {
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    }
};

// How long `send()` (a non-blocking send returning sendto()'s result) took; `failed_errno` is 0
// when it was sent.
template <typename Send>
long long timed(Send send, int& failed_errno) {
    long long t0 = now_ns();
    ssize_t sent = send();
    long long elapsed = now_ns() - t0;
    failed_errno = sent < 0 ? errno : 0;
    return elapsed;
}

// One send by path, as the floor sends.
inline long long timed_send(int fd, const void* data, std::size_t size, const UnixAddress& to,
                            int& failed_errno) {
    return timed(
        [&] {
            return sendto(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL,
                          reinterpret_cast<const sockaddr*>(&to.address), to.len);
        },
        failed_errno);
}

// One send on a connected socket, as the plugin sends.
inline long long timed_send(int fd, const void* data, std::size_t size, int& failed_errno) {
    return timed([&] { return send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL); }, failed_errno);
}

class Floor {
  public:
    // Opened as root at the plugin's start; `path` is the floor receiver's socket.
    void open(const std::string& path) {
        to_.set(path);
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        std::memset(payload_, 'x', sizeof payload_);
    }

    // How long the floor's send took, or -1 when it failed: it woke no one, so it is no floor.
    long long time() {
        int err = 0;
        long long elapsed = timed_send(fd_, payload_, sizeof payload_, to_, err);
        if (err) {
            ++failures_;
            last_errno_ = err;
            return -1;
        }
        return elapsed;
    }

    // "floor-failures N REASON": hook_in_openvpn.py leaves those floors out, and refuses a run
    // in which more than one in a hundred failed (a socket OpenVPN's user cannot write to).
    void report_failures(FILE* out) const {
        if (failures_)
            std::fprintf(out, "floor-failures %u %s\n", failures_, std::strerror(last_errno_));
    }

  private:
    UnixAddress to_;
    int fd_ = -1;
    char payload_[200] = {};
    unsigned failures_ = 0;
    int last_errno_ = 0;
};

}  // namespace omp::bench

#include "base/socket_io.hpp"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace omp {

int read_a_turn(int fd, const std::function<bool(ReadOutcome, std::string_view)>& on_read,
                std::size_t budget) {
    char buffer[65536];
    std::size_t used = 0;
    auto wipe = [&] { explicit_bzero(buffer, used); };
    for (std::size_t taken = 0; taken < budget;) {
        ssize_t n = ::read(fd, buffer, std::min(sizeof buffer, budget - taken));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) {
            int err = errno;
            wipe();
            return err;
        }
        ReadOutcome outcome = n > 0    ? ReadOutcome::data
                              : n == 0 ? ReadOutcome::closed
                                       : ReadOutcome::drained;
        std::string_view data(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
        used = std::max(used, data.size());
        taken += data.size();
        if (!on_read(outcome, data) || outcome != ReadOutcome::data) break;
    }
    wipe();
    return 0;
}

int send_pending(int fd, std::string& pending) {
    while (!pending.empty()) {
        ssize_t n = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            pending.erase(0, static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 0;
        } else {
            return n < 0 ? errno : EPIPE;  // send() of a non-empty buffer never returns 0
        }
    }
    return 0;
}

int connect_error(int fd) {
    int err = 0;
    socklen_t length = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0) return errno;
    return err;
}

}  // namespace omp

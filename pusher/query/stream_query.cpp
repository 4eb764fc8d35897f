#include "query/stream_query.hpp"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace omp {

StreamQuery::StreamQuery(std::string name, std::string kind, std::string error_prefix,
                         std::chrono::milliseconds timeout, SteadyClock::time_point now)
    : started_(now), timeout_(timeout), error_prefix_(std::move(error_prefix)) {
    report_.name = std::move(name);
    report_.kind = std::move(kind);
}

void StreamQuery::advance(short revents, SteadyClock::time_point now) {
    if (finished_) return;
    if (now >= deadline()) return fail(timeout_message());
    on_ready(revents);
}

void StreamQuery::succeed(ParsedStatus status) {
    if (finished_) return;
    report_.ok = true;
    report_.status = std::move(status);
    end();
}

void StreamQuery::fail(const std::string& what) {
    fail(what, ParsedStatus{});
}

void StreamQuery::fail(const std::string& what, ParsedStatus status) {
    if (finished_) return;
    report_.ok = false;
    report_.status = std::move(status);
    report_.error = error_prefix_ + what;
    end();
}

void StreamQuery::end() {
    report_.took = elapsed_since(started_);
    finished_ = true;
    release();
}

int StreamQuery::read_a_turn(int fd, const std::function<bool(Read, std::string_view)>& on_read) {
    char buffer[65536];
    std::size_t used = 0;
    // A WireGuard answer holds private keys: none stays behind on the stack.
    auto wipe = [&] { explicit_bzero(buffer, used); };
    for (int turn = 0; turn < 16; ++turn) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) {
            int err = errno;
            wipe();
            return err;
        }
        Read outcome = n > 0 ? Read::data : n == 0 ? Read::closed : Read::drained;
        std::string_view data(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
        used = std::max(used, data.size());
        if (!on_read(outcome, data) || outcome != Read::data) break;
    }
    wipe();
    return 0;
}

int connect_error(int fd) {
    int err = 0;
    socklen_t length = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0) return errno;
    return err;
}

int send_pending(int fd, std::string& pending) {
    while (!pending.empty()) {
        ssize_t n = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            pending.erase(0, static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return 0;
        } else {
            return n < 0 ? errno : EPIPE;  // send() of a non-empty buffer never returns 0
        }
    }
    return 0;
}

}  // namespace omp

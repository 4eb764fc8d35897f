#include "openvpn/mgmt_query.hpp"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "query/stream_socket.hpp"

namespace omp {

namespace {

long long ms(std::chrono::milliseconds d) { return static_cast<long long>(d.count()); }

}  // namespace

MgmtQuery::MgmtQuery(const Endpoint& endpoint, std::optional<std::string> password,
                     QueryTimeouts timeouts, SteadyClock::time_point now)
    : endpoint_(endpoint),
      timeouts_(timeouts),
      started_(now),
      conversation_(endpoint.name, std::move(password)) {
    report_.name = endpoint.name;
    start_connect();
}

MgmtQuery::~MgmtQuery() { close_fd(); }

void MgmtQuery::close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void MgmtQuery::start_connect() {
    fd_ = ::socket(endpoint_.sockaddr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return finish_error(std::string("socket: ") + std::strerror(errno));
    int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&endpoint_.sockaddr),
                       endpoint_.sockaddr_len);
    if (rc == 0) return on_connected();
    if (errno == EINPROGRESS) {
        connecting_ = true;
        return;
    }
    if (errno == EAGAIN) return finish_error("busy: its listen queue is full");
    finish_error(std::string("connect: ") + std::strerror(errno));
}

short MgmtQuery::poll_events() const {
    if (finished_) return 0;
    if (connecting_ || !output_.empty()) return POLLOUT;
    return POLLIN;
}

SteadyClock::time_point MgmtQuery::deadline() const {
    return connecting_ ? started_ + timeouts_.connect : started_ + timeouts_.total;
}

void MgmtQuery::advance(short revents, SteadyClock::time_point now) {
    if (finished_) return;
    // The deadline first: data arriving late does not make a late answer acceptable.
    if (now >= deadline()) {
        if (connecting_) {
            return finish_error("connect timed out after " + std::to_string(ms(timeouts_.connect)) + " ms");
        }
        return finish_error("no complete status within " + std::to_string(ms(timeouts_.total)) +
                            " ms (hung, slow, or busy with another management client)");
    }
    if (connecting_ && (revents & (POLLOUT | POLLERR | POLLHUP))) {
        if (int err = connect_error(fd_)) return finish_error(std::string("connect: ") + std::strerror(err));
        connecting_ = false;
        on_connected();
        if (finished_) return;
    } else if (!connecting_) {
        if (revents & (POLLIN | POLLHUP | POLLERR)) read_available();
        if (finished_) return;
        if (revents & POLLOUT) flush_output();
        if (finished_) return;
    }
}

void MgmtQuery::on_connected() {
    if (endpoint_.sockaddr.ss_family != AF_UNIX) {
        int on = 1;  // our lines are whole commands: send each at once
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        ack_quickly();
    }
    output_ += conversation_.take_output();
    flush_output();
}

// OpenVPN writes its status in several small segments and leaves Nagle on: every segment
// after the first waits for our ACK, which Linux delays up to 40 ms. Asking for quick ACKs
// (the flag does not stick, so again after every read) makes a 1 ms query stay 1 ms.
void MgmtQuery::ack_quickly() {
    if (endpoint_.sockaddr.ss_family == AF_UNIX) return;
    int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

void MgmtQuery::read_available() {
    char buffer[65536];
    // At most 1 MiB per turn: an endpoint that never stops talking must not keep us from
    // the rest of the loop, nor from its own deadline.
    for (int turn = 0; turn < 16; ++turn) {
        ssize_t n = ::read(fd_, buffer, sizeof buffer);
        ack_quickly();
        if (n > 0) {
            conversation_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        } else if (n == 0) {
            conversation_.closed();
        } else if (errno == EINTR) {
            continue;
        } else if (errno != EAGAIN) {
            return finish_error(std::string("read: ") + std::strerror(errno));
        }
        output_ += conversation_.take_output();
        if (conversation_.finished()) {
            if (conversation_.failed()) return finish_error(conversation_.error());
            return finish_ok();
        }
        if (n <= 0) break;
    }
    flush_output();
}

void MgmtQuery::flush_output() {
    if (int err = send_pending(fd_, output_)) finish_error(std::string("write: ") + std::strerror(err));
}

void MgmtQuery::finish_ok() {
    flush_output();  // "quit": best effort, we are done either way
    report_.ok = true;
    report_.status = conversation_.take_status();
    report_.took = elapsed_since(started_);
    finished_ = true;
    close_fd();
}

void MgmtQuery::finish_error(const std::string& what) {
    if (finished_) return;
    report_.ok = false;
    report_.error = endpoint_.address + ": " + what;
    report_.took = elapsed_since(started_);
    finished_ = true;
    close_fd();
}

SourceQueries start_mgmt_queries(const std::vector<Endpoint>& endpoints,
                                 const std::optional<std::string>& password, QueryTimeouts timeouts,
                                 SteadyClock::time_point now) {
    SourceQueries queries;
    for (const auto& ep : endpoints) queries.push_back(std::make_unique<MgmtQuery>(ep, password, timeouts, now));
    return queries;
}

}  // namespace omp

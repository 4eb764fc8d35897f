#include "openvpn/mgmt_query.hpp"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>

namespace omp {

namespace {

std::string ms(std::chrono::milliseconds d) {
    return std::to_string(static_cast<long long>(d.count()));
}

}  // namespace

MgmtQuery::MgmtQuery(const Endpoint& endpoint, std::optional<std::string> password,
                     QueryTimeouts timeouts, SteadyClock::time_point now)
    : StreamQuery(endpoint.name, kOpenVpnKind, endpoint.address + ": ", timeouts.total, now),
      endpoint_(endpoint),
      timeouts_(timeouts),
      conversation_(endpoint.name, std::move(password), endpoint.keep_transcript) {
    start_connect();
}

void MgmtQuery::release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void MgmtQuery::start_connect() {
    fd_ = ::socket(endpoint_.sockaddr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return fail(std::string("socket: ") + std::strerror(errno));
    int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&endpoint_.sockaddr),
                       endpoint_.sockaddr_len);
    if (rc == 0) return on_connected();
    if (errno == EINPROGRESS) {
        connecting_ = true;
        return;
    }
    if (errno == EAGAIN) return fail("busy: its listen queue is full");
    fail(std::string("connect: ") + std::strerror(errno));
}

short MgmtQuery::poll_events() const {
    if (finished()) return 0;
    if (connecting_ || !output_.empty()) return POLLOUT;
    return POLLIN;
}

SteadyClock::time_point MgmtQuery::deadline() const {
    return started() + (connecting_ ? timeouts_.connect : timeouts_.total);
}

std::string MgmtQuery::timeout_message() const {
    if (connecting_) return "connect timed out after " + ms(timeouts_.connect) + " ms";
    return "no complete status within " + ms(timeouts_.total) +
           " ms (hung, slow, or busy with another management client)";
}

void MgmtQuery::on_ready(short revents) {
    if (connecting_) {
        if (!(revents & (POLLOUT | POLLERR | POLLHUP))) return;
        if (int err = connect_error(fd_))
            return fail(std::string("connect: ") + std::strerror(err));
        connecting_ = false;
        return on_connected();
    }
    if (revents & (POLLIN | POLLHUP | POLLERR)) read_available();
    if (!finished() && (revents & POLLOUT)) flush_output();
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
    int err = read_a_turn(fd_, [&](Read outcome, std::string_view data) {
        ack_quickly();
        if (outcome == Read::data) conversation_.feed(data);
        if (outcome == Read::closed) conversation_.closed();
        output_ += conversation_.take_output();
        if (!conversation_.finished()) return true;
        if (conversation_.failed()) {
            fail(conversation_.error());
        } else {
            finish_ok();
        }
        return false;
    });
    if (err) return fail(std::string("read: ") + std::strerror(err));
    if (!finished()) flush_output();
}

void MgmtQuery::flush_output() {
    if (int err = send_pending(fd_, output_)) fail(std::string("write: ") + std::strerror(err));
}

void MgmtQuery::finish_ok() {
    (void)send_pending(fd_, output_);  // "quit": best effort, we are done either way
    succeed(conversation_.take_status());
}

SourceQueries start_mgmt_queries(const std::vector<Endpoint>& endpoints,
                                 const std::optional<std::string>& password, QueryTimeouts timeouts,
                                 SteadyClock::time_point now) {
    SourceQueries queries;
    for (const auto& ep : endpoints)
        queries.push_back(std::make_unique<MgmtQuery>(ep, password, timeouts, now));
    return queries;
}

}  // namespace omp

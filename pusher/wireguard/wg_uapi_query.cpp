#include "wireguard/wg_uapi_query.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "wireguard/wg_uapi_parser.hpp"

namespace omp {

namespace {

// An answer is about 250 bytes a peer: this allows hundreds of thousands, and no more.
constexpr std::size_t kMaxAnswer = 64u << 20;

}  // namespace

WgUapiQuery::WgUapiQuery(const WgInterface& source, std::string socket_path, WgOptions options,
                         std::shared_ptr<const PeerNames> names, SteadyClock::time_point now)
    : WgQuery(source, std::move(options), std::move(names), now),
      socket_path_(std::move(socket_path)) {
    connect_socket();
}

void WgUapiQuery::release() {
    wipe_wg_answer(answer_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

short WgUapiQuery::poll_events() const {
    if (finished()) return 0;
    return connecting_ || !request_.empty() ? POLLOUT : POLLIN;
}

std::string WgUapiQuery::timeout_message() const {
    return "no answer on " + socket_path_ + " within " + std::to_string(options_.timeout.count()) +
           " ms";
}

void WgUapiQuery::connect_socket() {
    sockaddr_un address{};
    if (socket_path_.size() >= sizeof address.sun_path)
        return fail("socket path too long: " + socket_path_);
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return fail(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0)
        return send_request();
    if (errno == EINPROGRESS || errno == EAGAIN) {
        connecting_ = true;  // a unix socket's listen queue is full: wait for room
        return;
    }
    fail("connect " + socket_path_ + ": " + std::strerror(errno));
}

void WgUapiQuery::on_ready(short revents) {
    if (connecting_ && revents & (POLLOUT | POLLERR | POLLHUP)) {
        if (int err = connect_error(fd_))
            return fail("connect " + socket_path_ + ": " + std::strerror(err));
        connecting_ = false;
        return send_request();
    }
    if (!request_.empty() && revents & POLLOUT) send_request();
    if (!finished() && request_.empty() && revents & (POLLIN | POLLHUP | POLLERR)) read_available();
}

void WgUapiQuery::send_request() {
    if (int err = send_pending(fd_, request_))
        fail(std::string("write to ") + socket_path_ + ": " + std::strerror(err));
}

void WgUapiQuery::read_available() {
    int err = read_a_turn(fd_, [&](Read outcome, std::string_view data) {
        if (outcome == Read::drained) return false;
        if (outcome == Read::closed) {
            fail(socket_path_ + " closed the connection before a whole answer");
            return false;
        }
        if (answer_.size() + data.size() > kMaxAnswer) {
            fail(socket_path_ + " answered more than " + std::to_string(kMaxAnswer >> 20) + " MiB");
            return false;
        }
        answer_.append(data);
        if (!wg_uapi_answer_complete(answer_)) return true;
        finish_with(parse_wg_uapi(answer_), answer_);
        return false;
    });
    if (err) fail(std::string("read from ") + socket_path_ + ": " + std::strerror(err));
}

}  // namespace omp

#include "wireguard/wg_uapi_query.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "query/stream_socket.hpp"
#include "wireguard/wg_uapi_parser.hpp"

namespace omp {

namespace {

// An answer is about 250 bytes a peer: this allows hundreds of thousands, and no more.
constexpr std::size_t kMaxAnswer = 64u << 20;

}  // namespace

WgUapiQuery::WgUapiQuery(const WgInterface& source, std::string socket_path, WgOptions options,
                         std::shared_ptr<const PeerNames> names, SteadyClock::time_point now)
    : source_(source),
      socket_path_(std::move(socket_path)),
      options_(std::move(options)),
      names_(std::move(names)),
      started_(now) {
    report_.name = source_.name;
    report_.kind = kWireGuardKind;
    connect_socket();
}

WgUapiQuery::~WgUapiQuery() { close_fd(); }

void WgUapiQuery::close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

short WgUapiQuery::poll_events() const {
    if (finished_) return 0;
    return connecting_ || !request_.empty() ? POLLOUT : POLLIN;
}

void WgUapiQuery::connect_socket() {
    sockaddr_un address{};
    if (socket_path_.size() >= sizeof address.sun_path) return finish_error("socket path too long: " + socket_path_);
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return finish_error(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return send_request();
    if (errno == EINPROGRESS || errno == EAGAIN) {
        connecting_ = true;  // a unix socket's listen queue is full: wait for room
        return;
    }
    finish_error("connect " + socket_path_ + ": " + std::strerror(errno));
}

void WgUapiQuery::advance(short revents, SteadyClock::time_point now) {
    if (finished_) return;
    if (now >= deadline()) {
        return finish_error("no answer on " + socket_path_ + " within " + std::to_string(options_.timeout.count()) +
                            " ms");
    }
    if (connecting_ && revents & (POLLOUT | POLLERR | POLLHUP)) {
        if (int err = connect_error(fd_)) return finish_error("connect " + socket_path_ + ": " + std::strerror(err));
        connecting_ = false;
        return send_request();
    }
    if (!request_.empty() && revents & POLLOUT) send_request();
    if (!finished_ && request_.empty() && revents & (POLLIN | POLLHUP | POLLERR)) read_available();
}

void WgUapiQuery::send_request() {
    if (int err = send_pending(fd_, request_)) {
        finish_error(std::string("write to ") + socket_path_ + ": " + std::strerror(err));
    }
}

void WgUapiQuery::read_available() {
    char buffer[65536];
    for (int turn = 0; turn < 16; ++turn) {  // at most 1 MiB a turn, as the management client
        ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n > 0) {
            if (answer_.size() + static_cast<std::size_t>(n) > kMaxAnswer) {
                return finish_error(socket_path_ + " answered more than " + std::to_string(kMaxAnswer >> 20) + " MiB");
            }
            answer_.append(buffer, static_cast<std::size_t>(n));
            if (wg_uapi_answer_complete(answer_)) return finish_ok();
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) return finish_error(std::string("read from ") + socket_path_ + ": " + std::strerror(errno));
        return finish_error(socket_path_ + " closed the connection before a whole answer");
    }
}

void WgUapiQuery::finish_ok() {
    report_.took = elapsed_since(started_);
    finish_wg_report(report_, parse_wg_uapi(answer_), source_, options_, *names_);
    wipe_wg_answer(answer_);
    finished_ = true;
    close_fd();
}

void WgUapiQuery::finish_error(const std::string& what) {
    if (finished_) return;
    wipe_wg_answer(answer_);
    fail_wg_report(report_, source_, what);
    report_.took = elapsed_since(started_);
    finished_ = true;
    close_fd();
}

}  // namespace omp

// One read-only management socket (unix or TCP) for one OpenVPN instance, serving any number
// of clients at once with OpenVPN's management protocol (proxy_session.hpp), from the daemon's
// last complete poll. OpenVPN never sees these clients. Everything is non-blocking and
// bounded: a client that stalls mid-command, or never reads, holds its own slot and buffer and
// nothing else, and only until it has been idle for the idle timeout; a full proxy makes room
// for a new client by closing the one idle longest.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/unix_socket_file.hpp"
#include "common/result.hpp"
#include "core/mgmt_transcript.hpp"
#include "mgmt_proxy/proxy_config.hpp"
#include "mgmt_proxy/proxy_session.hpp"

namespace omp {

class MgmtProxy {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kMaxClients = 64;
    // Read per client per loop turn: a client that writes without end cannot hold the loop.
    static constexpr std::size_t kReadPerTurn = 16 * 1024;

    static Result<std::unique_ptr<MgmtProxy>> open(const ProxyConfig& config);
    ~MgmtProxy();
    MgmtProxy(const MgmtProxy&) = delete;
    MgmtProxy& operator=(const MgmtProxy&) = delete;

    const ProxyConfig& config() const { return config_; }
    // The listening socket, then each client: what the loop polls.
    void descriptors(std::vector<pollfd>& fds) const;
    // After the wait: `ready` is this proxy's part of the loop's pollfds, in the same order.
    void serve(const pollfd* ready, std::size_t count, const MgmtTranscript* transcript,
               Clock::time_point now);
    // When the client idle longest reaches the idle timeout: the loop wakes up for it.
    std::optional<Clock::time_point> next_deadline() const;
    std::size_t clients() const { return clients_.size(); }

  private:
    struct Client {
        int fd = -1;
        ProxySession session;
        Clock::time_point last_active;  // its last bytes in or out
    };

    MgmtProxy(ProxyConfig config, int listen_fd);
    void accept_clients(const MgmtTranscript* transcript, Clock::time_point now);
    void close_longest_idle();
    // Sends, answers and reads as far as the client lets it; false when it is done with.
    bool drive(Client& client, bool readable, const MgmtTranscript* transcript,
               Clock::time_point now);

    ProxyConfig config_;
    int listen_fd_ = -1;
    UnixSocketFile file_;  // a unix socket's file, removed when the proxy goes, if still ours
    std::vector<Client> clients_;
};

}  // namespace omp

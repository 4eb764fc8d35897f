// One read-only management socket (unix or TCP) for one OpenVPN instance, serving any number
// of clients at once with OpenVPN's management protocol: its greeting, `ENTER PASSWORD:` when
// a password is set, and the answers of proxy_answers.hpp, from the daemon's last complete
// poll. OpenVPN never sees these clients. Everything is non-blocking and bounded: a client
// that stalls mid-command, or never reads, holds its own slot and buffer and nothing else.
#pragma once

#include <poll.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/mgmt_transcript.hpp"
#include "mgmt_proxy/proxy_config.hpp"

namespace omp {

class MgmtProxy {
  public:
    static constexpr std::size_t kMaxClients = 64;
    static constexpr std::size_t kMaxLine = 1024;
    static constexpr std::size_t kMaxPending = 64u << 20;  // unread answers, per client

    static Result<std::unique_ptr<MgmtProxy>> open(const ProxyConfig& config);
    ~MgmtProxy();
    MgmtProxy(const MgmtProxy&) = delete;
    MgmtProxy& operator=(const MgmtProxy&) = delete;

    const ProxyConfig& config() const { return config_; }
    // The listening socket, then each client: what the loop polls.
    void descriptors(std::vector<pollfd>& fds) const;
    // After the wait: `ready` is this proxy's part of the loop's pollfds, in the same order.
    void serve(const pollfd* ready, std::size_t count, const MgmtTranscript* transcript);
    std::size_t clients() const { return clients_.size(); }

  private:
    struct Client {
        int fd = -1;
        std::string in;
        std::string out;
        bool authorised = false;
    };

    explicit MgmtProxy(ProxyConfig config, int listen_fd);
    void accept_clients(const MgmtTranscript* transcript);
    // False when the client is done with (closed, quit, misbehaved).
    bool read_client(Client& client, const MgmtTranscript* transcript);
    bool on_line(Client& client, std::string_view line, const MgmtTranscript* transcript);
    static void queue(Client& client, std::string_view text);
    static bool flush(Client& client);
    static std::string greeting(const MgmtTranscript* transcript);

    ProxyConfig config_;
    int listen_fd_ = -1;
    std::vector<Client> clients_;
};

}  // namespace omp

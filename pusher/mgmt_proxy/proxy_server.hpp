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
    void serve(const pollfd* ready, std::size_t count, const MgmtTranscript* transcript);
    std::size_t clients() const { return clients_.size(); }

  private:
    // A client's next command is read only once its last answer is sent, as OpenVPN does: one
    // that writes commands and never reads gets no more than one answer queued.
    struct Client {
        int fd = -1;
        std::string in;
        std::string out;
        std::size_t sent = 0;  // of out
        bool authorised = false;
        bool peer_done = false;  // it closed its side, or quit: close once out is sent
        bool pending() const { return sent < out.size(); }
    };

    explicit MgmtProxy(ProxyConfig config, int listen_fd);
    void accept_clients(const MgmtTranscript* transcript);
    // Sends, answers and reads as far as the client lets it; false when it is done with.
    bool drive(Client& client, bool readable, const MgmtTranscript* transcript);
    void answer_lines(Client& client, const MgmtTranscript* transcript);
    bool on_line(Client& client, std::string_view line, const MgmtTranscript* transcript);
    static void queue(Client& client, std::string_view text);
    static bool flush(Client& client);
    static std::string greeting(const MgmtTranscript* transcript);

    ProxyConfig config_;
    int listen_fd_ = -1;
    bool bound_ = false;  // the unix socket's path is ours to remove
    std::vector<Client> clients_;
};

}  // namespace omp

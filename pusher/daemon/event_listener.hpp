// The event listener: owns the Unix datagram socket the plugin sends to. It creates the
// socket so that only root and OpenVPN's runtime user can send (file mode 0600, owned by that
// user; root passes file permissions anyway), and checks the kernel's credentials of every
// datagram (SO_PASSCRED) so nothing else is believed either. Since OpenVPN's runtime user is
// often `nobody`, shared by unrelated programs, a datagram must also carry the sender key
// (event/sender_key.hpp), which only root can read: only OpenVPN with the plugin loaded has it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/rate_limit.hpp"
#include "base/unix_socket_file.hpp"
#include "common/result.hpp"
#include "core/payload.hpp"
#include "event/event_datagram.hpp"

namespace omp {

class EventListener {
  public:
    // `allowed_user`: the account OpenVPN runs as after dropping privileges.
    static Result<std::unique_ptr<EventListener>> open(const std::string& path,
                                                       const std::string& allowed_user);
    ~EventListener();
    EventListener(const EventListener&) = delete;
    EventListener& operator=(const EventListener&) = delete;

    int fd() const { return fd_; }
    // Reads at most `budget` datagrams without blocking; accepted events are appended.
    void drain(std::vector<event::Event>& out, std::size_t budget);
    const EventSocketCounters& counters() const { return counters_; }

  private:
    EventListener(UnixSocketFile file, int fd, uid_t allowed_uid, std::string key);
    void reject(std::uint64_t& counter, RateLimit& limit, const std::string& why);

    UnixSocketFile file_;  // removed when the listener goes, if still ours
    int fd_;
    uid_t allowed_uid_;
    std::string sender_key_;
    EventSocketCounters counters_;
    RateLimit foreign_log_{std::chrono::seconds(60)};
    RateLimit malformed_log_{std::chrono::seconds(60)};
};

}  // namespace omp

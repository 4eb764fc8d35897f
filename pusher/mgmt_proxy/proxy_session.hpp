// One client of a management proxy, as bytes: what it sent goes in, what to send it comes out.
// OpenVPN's management protocol as the proxy speaks it: the greeting (or `ENTER PASSWORD:`
// first), one answer per command line from proxy_answers.hpp, every line ending in \r\n. No
// descriptor: the proxy's socket side (proxy_server.cpp) moves the bytes, unit tests and a
// fuzz target drive it directly.
//
// A command is answered only once the last answer is sent, as OpenVPN does: a client that
// writes commands and never reads gets one answer queued, no more.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/mgmt_transcript.hpp"

namespace omp {

class ProxySession {
  public:
    // A line longer than this without its newline ends the session.
    static constexpr std::size_t kMaxLine = 1024;

    // `instance` names the --mgmt source in errors; with a `password`, the client must send
    // it first.
    ProxySession(std::string instance, std::optional<std::string> password);

    // What a client gets when it connects. `transcript` is the instance's last complete poll,
    // null when there is none.
    void begin(const MgmtTranscript* transcript);
    // Bytes the client sent; the complete lines among them are answered while nothing is
    // unsent.
    void received(std::string_view bytes, const MgmtTranscript* transcript);
    // The client closed its side: what it asked before is still answered.
    void peer_closed(const MgmtTranscript* transcript);
    // After some output was sent: answers the next waiting line, if any.
    void answer_waiting(const MgmtTranscript* transcript);

    // What to send now; the socket side drops from its front what it sent.
    std::string& output() { return out_; }
    const std::string& output() const { return out_; }
    // Whether to read more from the client now (nothing unsent, not ending).
    bool reading() const { return out_.empty() && !ending_; }
    // The session is over: close the connection (what was queued has been sent).
    bool finished() const { return ending_ && out_.empty(); }

  private:
    void queue(std::string_view text);
    void on_line(std::string_view line, const MgmtTranscript* transcript);

    std::string instance_;
    std::optional<std::string> password_;
    bool authorised_;
    std::string in_;
    std::string out_;
    bool peer_closed_ = false;
    bool ending_ = false;  // quit, a bad password, a line too long, or the peer gone
};

}  // namespace omp

// The management-interface dialogue, without a socket: fed the bytes OpenVPN sends, it says
// what to send back and collects the status. One query per connection:
//   [ENTER PASSWORD: -> password]  >INFO greeting -> "status 3"  ... END -> "quit"
// When a read-only proxy serves the source (keep_transcript), it asks "version", "state" and
// "load-stats" before "status 3" and keeps every answer word for word (MgmtTranscript).
// Real-time notifications (lines starting with '>') may arrive at any point and are skipped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "openvpn/status_parser.hpp"

namespace omp {

class MgmtConversation {
  public:
    MgmtConversation(std::string source_name, std::optional<std::string> password,
                     bool keep_transcript = false);

    // Bytes OpenVPN sent; may hold partial lines.
    void feed(std::string_view bytes);
    // OpenVPN closed the connection.
    void closed();

    // What to write to OpenVPN now; the caller takes it.
    std::string take_output();

    bool finished() const { return state_ == State::done || state_ == State::failed; }
    bool failed() const { return state_ == State::failed; }
    const std::string& error() const { return error_; }
    // Valid once finished() and !failed().
    ParsedStatus take_status();

    // A line longer than this is garbage, not OpenVPN.
    static constexpr std::size_t kMaxLine = 64 * 1024;
    // Total status output and rows we accept: far above any real OpenVPN instance (its
    // address pool is at most a /16), low enough to bound memory (~50 MB of sessions).
    static constexpr std::size_t kMaxStatusBytes = 64 * 1024 * 1024;
    static constexpr std::size_t kMaxRows = 200000;

  private:
    enum class State {
        greeting,
        password_sent,
        version_sent,
        state_sent,
        load_stats_sent,
        status_sent,
        done,
        failed
    };

    void on_line(std::string_view line);
    void on_greeting_line(std::string_view line);
    void on_password_answer(std::string_view line);
    void on_proxy_answer_line(std::string_view line);
    void ask_first();
    void on_status_line(std::string_view line);
    void fail(std::string message);

    State state_ = State::greeting;
    std::optional<std::string> password_;
    std::string pending_;  // an incomplete line
    std::string output_;
    std::string error_;
    std::size_t status_bytes_ = 0;
    std::size_t status_rows_ = 0;
    StatusParser parser_;
    std::optional<ParsedStatus> status_;
    std::optional<MgmtTranscript> transcript_;  // kept only when a proxy replays it
};

}  // namespace omp

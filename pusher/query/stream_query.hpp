// The life cycle every query over a stream shares (a management socket, a WireGuard UAPI
// socket, the pipe of a `wg` child): a start time and a deadline checked before any data,
// a read loop bounded per turn, one way to end in a SourceReport, and an error guard so a
// query ends once. The three queries differ only in what they say and how they parse.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "base/socket_io.hpp"
#include "query/source_query.hpp"

namespace omp {

class StreamQuery : public SourceQuery {
  public:
    // A query owns what it waits on (a descriptor, a child): never copied.
    StreamQuery(const StreamQuery&) = delete;
    StreamQuery& operator=(const StreamQuery&) = delete;

    SteadyClock::time_point deadline() const override { return started_ + timeout_; }
    // The deadline first: data arriving late does not make a late answer acceptable.
    void advance(short revents, SteadyClock::time_point now) final;
    bool finished() const final { return finished_; }
    SourceReport take_report() final { return std::move(report_); }

  protected:
    // `error_prefix` starts every error of this query ("127.0.0.1:7505: ").
    StreamQuery(std::string name, std::string kind, std::string error_prefix,
                std::chrono::milliseconds timeout, SteadyClock::time_point now);

    // What went wrong when the deadline passed first.
    virtual std::string timeout_message() const = 0;
    // The descriptor is ready (`revents`), the deadline not yet passed, the query not finished.
    virtual void on_ready(short revents) = 0;
    // Lets go of what the query holds (descriptors, a child, secrets), as it finishes.
    virtual void release() = 0;

    // Ends the query with these sessions, or with an error; the first end counts.
    void succeed(ParsedStatus status);
    void fail(const std::string& what);
    // An answer that parsed in part: what it listed is kept beside the error.
    void fail(const std::string& what, ParsedStatus status);

    using Read = ReadOutcome;  // read_a_turn() (base/socket_io.hpp) tells each read's

    SteadyClock::time_point started() const { return started_; }

  private:
    void end();

    SteadyClock::time_point started_;
    std::chrono::milliseconds timeout_;
    std::string error_prefix_;
    bool finished_ = false;
    SourceReport report_;
};

}  // namespace omp

// The management client: one short connection per query to an OpenVPN management interface
// (OpenVPN serves one management client at a time, so the connection is never held open).
// Non-blocking, so the daemon's poll loop can run several queries beside its other work;
// the connect and the whole query each have a deadline.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "openvpn/endpoint.hpp"
#include "openvpn/mgmt_conversation.hpp"
#include "query/stream_query.hpp"

namespace omp {

struct QueryTimeouts {
    std::chrono::milliseconds connect{1000};
    std::chrono::milliseconds total{2000};
};

class MgmtQuery final : public StreamQuery {
  public:
    MgmtQuery(const Endpoint& endpoint, std::optional<std::string> password, QueryTimeouts timeouts,
              SteadyClock::time_point now);
    ~MgmtQuery() override { release(); }

    int fd() const override { return fd_; }
    short poll_events() const override;
    SteadyClock::time_point deadline() const override;

  private:
    std::string timeout_message() const override;
    void on_ready(short revents) override;
    void release() override;

    void start_connect();
    void on_connected();
    void read_available();
    void ack_quickly();
    void flush_output();
    void finish_ok();

    Endpoint endpoint_;  // a copy: a reload may replace the settings mid-query
    QueryTimeouts timeouts_;
    MgmtConversation conversation_;
    int fd_ = -1;
    bool connecting_ = false;
    std::string output_;
};

// One query per endpoint, all started at `now`.
SourceQueries start_mgmt_queries(const std::vector<Endpoint>& endpoints,
                                 const std::optional<std::string>& password, QueryTimeouts timeouts,
                                 SteadyClock::time_point now);

}  // namespace omp

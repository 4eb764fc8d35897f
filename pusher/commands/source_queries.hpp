// The queries one poll runs: every management endpoint, then every WireGuard interface.
#pragma once

#include <memory>

#include "config/settings.hpp"
#include "daemon/source_poller.hpp"
#include "query/source_query.hpp"
#include "wireguard/wg_peer_names.hpp"

namespace omp {

SourceQueries start_source_queries(const Settings& settings,
                                   const std::shared_ptr<const PeerNames>& peer_names,
                                   SteadyClock::time_point now);

// The daemon's sources: the configured ones, with WireGuard peer names re-read when their
// files change.
class ConfiguredSources final : public SourcePoller {
  public:
    explicit ConfiguredSources(const Settings& settings);
    SourceQueries start(SteadyClock::time_point now) override;
    void reconfigure(const Settings& settings) override;

  private:
    Settings settings_;
    PeerNameFiles peer_files_;
};

}  // namespace omp

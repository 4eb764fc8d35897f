// The queries one poll runs: every management endpoint, then every WireGuard interface.
#pragma once

#include <memory>

#include "settings.hpp"
#include "source_query.hpp"

namespace omp {

SourceQueries start_source_queries(const Settings& settings, const std::shared_ptr<const PeerNames>& peer_names,
                                   SteadyClock::time_point now);

}  // namespace omp

#include "sources.hpp"

#include "mgmt_client.hpp"
#include "wg_source.hpp"

namespace omp {

SourceQueries start_source_queries(const Settings& settings, const std::shared_ptr<const PeerNames>& peer_names,
                                   SteadyClock::time_point now) {
    auto queries = start_mgmt_queries(settings.endpoints, settings.mgmt_password, settings.mgmt_timeouts, now);
    for (auto& q : start_wg_queries(settings.wg_interfaces, wg_options(settings), peer_names, now)) {
        queries.push_back(std::move(q));
    }
    return queries;
}

}  // namespace omp

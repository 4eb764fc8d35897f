#include "commands/source_queries.hpp"

#include "base/log.hpp"
#include "openvpn/mgmt_query.hpp"
#include "wireguard/wg_source.hpp"

namespace omp {

SourceQueries start_source_queries(const Settings& settings,
                                   const std::shared_ptr<const PeerNames>& peer_names,
                                   SteadyClock::time_point now) {
    auto queries =
        start_mgmt_queries(settings.endpoints, settings.mgmt_password, settings.mgmt_timeouts, now);
    for (auto& q :
         start_wg_queries(settings.wg_interfaces, wg_options(settings), peer_names, now)) {
        queries.push_back(std::move(q));
    }
    return queries;
}

ConfiguredSources::ConfiguredSources(const Settings& settings)
    : settings_(settings), peer_files_(settings.wg_peer_files, settings.wg_peer_names) {}

SourceQueries ConfiguredSources::start(SteadyClock::time_point now) {
    if (auto names = peer_files_.refresh(); !names) log::error(names.error().message);
    return start_source_queries(settings_, peer_files_.names(), now);
}

void ConfiguredSources::reconfigure(const Settings& settings) {
    settings_ = settings;
    peer_files_ = PeerNameFiles(settings_.wg_peer_files, settings_.wg_peer_names);
}

}  // namespace omp

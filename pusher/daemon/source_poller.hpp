// The seam in front of the sources' sockets: the runner starts a poll of every configured
// source through it, so a unit test runs whole cycles on fake sources. The daemon's is
// ConfiguredSources (commands/source_queries.hpp), which `snapshot` and `push` poll too.
#pragma once

#include "config/settings.hpp"
#include "query/source_query.hpp"

namespace omp {

class SourcePoller {
  public:
    virtual ~SourcePoller() = default;
    // A query may be finished already when it is returned (a refused connect).
    virtual SourceQueries start(SteadyClock::time_point now) = 0;
    virtual void reconfigure(const Settings& settings) = 0;
};

}  // namespace omp

// WireGuard reports only a peer's latest handshake, and a connected peer re-handshakes every
// two minutes. Its session starts at the first handshake of the current run: the one seen
// when the peer became connected, kept for as long as every poll finds it connected. A peer
// that drops out (its handshake grew older than the threshold) starts a new run when it comes
// back. A source that failed keeps its runs for when it answers again.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/source_report.hpp"

namespace omp {

class HandshakeRuns {
  public:
    // Rewrites connected_at of every WireGuard session to the start of its run.
    void update(std::vector<SourceReport>& reports);
    std::size_t tracked() const { return started_.size(); }

  private:
    using Key = std::pair<std::string, std::string>;  // source, public key
    std::map<Key, std::int64_t> started_;
};

}  // namespace omp

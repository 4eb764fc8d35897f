// Merges the sessions of every source into one user list: one entry per username, the most
// recently connected session wins (CONTRACT.md). Sources that failed keep their place in the
// summary so the payload can say which one failed; they never hide the others' users.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/session.hpp"
#include "core/source_report.hpp"

namespace omp {

struct SourceSummary {
    std::string name;
    std::string kind;
    bool ok = false;
    std::string error;
    std::size_t sessions = 0;
    std::size_t half_open = 0;
    std::size_t malformed_rows = 0;
    double took_ms = 0;
};

// The users point into the reports the snapshot owns: each session is stored once, however
// large the server. Move-only, so the pointers cannot outlive their sessions.
struct Snapshot {
    Snapshot() = default;
    Snapshot(Snapshot&&) = default;
    Snapshot& operator=(Snapshot&&) = default;
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

    std::vector<SourceReport> reports;
    std::vector<const Session*> users;  // one per username, sorted by username
    std::vector<SourceSummary> sources;
};

Snapshot merge_reports(std::vector<SourceReport> reports);

}  // namespace omp

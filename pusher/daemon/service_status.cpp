#include "daemon/service_status.hpp"

#include <cstdio>
#include <vector>

#include "base/log.hpp"

namespace omp {

namespace {

std::string seconds_ago(CycleRecord::Clock::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s ago", std::chrono::duration<double>(d).count());
    return text;
}

std::string down_sources(const Snapshot& snapshot) {
    std::string out;
    for (const auto& source : snapshot.sources) {
        if (!source.ok) out += (out.empty() ? "" : ", ") + source.name;
    }
    return out;
}

std::string last_post(const CycleRecord& record, CycleRecord::Clock::time_point now) {
    if (record.posts_finished() == 0) return "first POST in progress";
    if (record.last_failure().empty())
        return "last POST " + seconds_ago(now - *record.last_success());
    std::string failure = record.last_failure();
    if (failure.size() > kMaxStatusError) failure = failure.substr(0, kMaxStatusError) + "...";
    return "last POST failed (" + failure + "; " +
           (record.last_success() ? "last success " + seconds_ago(now - *record.last_success())
                                  : std::string("none yet")) +
           ")";
}

}  // namespace

std::string service_status(const CycleRecord& record, std::size_t records_pending,
                           CycleRecord::Clock::time_point now) {
    const Snapshot* snapshot = record.snapshot();
    if (!snapshot) return "starting: first poll in progress";
    std::size_t sources = snapshot->sources.size();
    std::size_t ok = 0;
    for (const auto& source : snapshot->sources) ok += source.ok ? 1 : 0;
    std::size_t users = snapshot->users.size();
    std::string line = std::to_string(ok) + "/" + std::to_string(sources) + " sources ok";
    if (std::string down = down_sources(*snapshot); !down.empty()) line += " (down: " + down + ")";
    line += ", " + std::to_string(users) + (users == 1 ? " user" : " users");
    line += ", " + last_post(record, now);
    line += ", " + std::to_string(records_pending) +
            (records_pending == 1 ? " record pending" : " records pending");
    std::string escaped;
    log::append_escaped(escaped, line);
    return escaped;
}

}  // namespace omp

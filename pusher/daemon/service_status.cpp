#include "daemon/service_status.hpp"

#include <cstdio>

#include "base/log.hpp"

namespace omp {

namespace {

std::string seconds_ago(ServiceStatus::Clock::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s ago", std::chrono::duration<double>(d).count());
    return text;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
}

}  // namespace

void ServiceStatus::polled(const Snapshot& snapshot) {
    polled_ = true;
    sources_ = snapshot.sources.size();
    down_.clear();
    for (const auto& source : snapshot.sources) {
        if (!source.ok) down_.push_back(source.name);
    }
    users_ = snapshot.users.size();
}

void ServiceStatus::posted(const PostResult& result, Clock::time_point now) {
    posted_ = true;
    if (result.ok) {
        last_success_ = now;
        last_failure_.clear();
        return;
    }
    last_failure_ = result.error.empty() ? "no answer" : result.error;
    if (last_failure_.size() > kMaxError)
        last_failure_ = last_failure_.substr(0, kMaxError) + "...";
}

std::string ServiceStatus::text(Clock::time_point now) const {
    if (!polled_) return "starting: first poll in progress";
    std::string line =
        std::to_string(sources_ - down_.size()) + "/" + std::to_string(sources_) + " sources ok";
    if (!down_.empty()) line += " (down: " + joined(down_) + ")";
    line += ", " + std::to_string(users_) + (users_ == 1 ? " user" : " users");
    if (!posted_) {
        line += ", first POST in progress";
    } else if (last_failure_.empty()) {
        line += ", last POST " + seconds_ago(now - *last_success_);
    } else {
        line += ", last POST failed (" + last_failure_ + "; ";
        line += last_success_ ? "last success " + seconds_ago(now - *last_success_) : "none yet";
        line += ")";
    }
    line += ", " + std::to_string(records_pending_) +
            (records_pending_ == 1 ? " record pending" : " records pending");
    std::string escaped;
    log::append_escaped(escaped, line);
    return escaped;
}

}  // namespace omp

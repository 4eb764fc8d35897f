#include "records/log_reasons.hpp"

#include <algorithm>

namespace omp {

Result<LogReasons> LogReasons::open(const std::vector<std::pair<std::string, std::string>>& logs) {
    LogReasons reasons;
    for (const auto& [source, where] : logs) {
        if (where.starts_with(kJournalPrefix)) {
            auto journal = JournalFollower::open(where.substr(kJournalPrefix.size()));
            if (!journal) return journal.error();
            reasons.logs_.push_back(NamedLog{source, std::move(*journal)});
        } else {
            auto file = LogFollower::open(where);
            if (!file) return file.error();
            reasons.logs_.push_back(NamedLog{source, std::move(*file)});
        }
    }
    return reasons;
}

bool LogReasons::covers(const std::string& source) const {
    return std::any_of(logs_.begin(), logs_.end(),
                       [&](const NamedLog& log) { return log.source == source; });
}

std::optional<std::string> LogReasons::reason_for(const SessionKey& session,
                                                  Clock::time_point ended, Clock::time_point now) {
    read_new_lines(now);
    return book_.reason_for(session, ended);
}

void LogReasons::read_new_lines(Clock::time_point now) {
    for (auto& log : logs_) {
        auto line = [&](std::string_view text) {
            if (auto hint = classify_log_line(text)) book_.add(log.source, std::move(*hint), now);
        };
        std::visit([&](auto& follower) { follower.read_new_lines(line); }, log.follower);
    }
    book_.forget_before(now - std::chrono::minutes(1));
}

}  // namespace omp

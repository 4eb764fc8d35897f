#include "records/open_sessions.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "records/state_files.hpp"

namespace omp {

namespace {

using Json = nlohmann::json;

// A poll decides which sessions ended only when it is known to list every session.
bool complete_openvpn_poll(const SourceReport& report) {
    return report.kind == kOpenVpnKind && report.ok && !report.status.error &&
           report.status.malformed_rows == 0;
}

std::string end_line(const std::string& id, std::int64_t at) {
    return Json{{"ended", id}, {"at", at}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

Result<OpenSessions> OpenSessions::open(const std::string& directory) {
    if (auto made = make_state_directory(directory); !made) return made.error();
    OpenSessions book(directory + "/open-sessions.jsonl");
    std::ifstream in(book.path_);
    std::string line;
    while (std::getline(in, line)) {
        Json j = Json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("ended")) {
            auto id = j["ended"];
            auto at = j.value("at", Json());
            if (id.is_string() && at.is_number_integer()) {
                book.ended_[id.get<std::string>()] = at.get<std::int64_t>();
            }
            continue;
        }
        if (auto record = record_from_json(line)) book.open_[record->id] = std::move(*record);
    }
    return book;
}

std::vector<SessionRecord> OpenSessions::update(const SourceReport& report, std::int64_t now) {
    std::vector<SessionRecord> ended;
    if (!complete_openvpn_poll(report)) return ended;
    std::set<std::string> listed;
    for (const auto& session : report.status.sessions) {
        auto record = record_from_last_poll(session, now);
        // Its end is known: this poll was answered before OpenVPN removed the session.
        if (ended_.count(record.id)) continue;
        listed.insert(record.id);
        auto [it, added] = open_.try_emplace(record.id);
        it->second = std::move(record);
        membership_changed_ = membership_changed_ || added;
    }
    for (auto it = open_.begin(); it != open_.end();) {
        if (it->second.source != report.name || listed.count(it->first)) {
            ++it;
            continue;
        }
        remember_end(it->first, now);
        ended.push_back(std::move(it->second));
        it = open_.erase(it);
    }
    return ended;
}

bool OpenSessions::end_by_event(SessionRecord& record, const event::Event& event,
                                std::int64_t now) {
    if (ended_.count(record.id)) return false;
    remember_end(record.id, now);
    if (auto open = open_.find(record.id); open != open_.end()) {
        take_missing_counters(record, event, open->second);
        open_.erase(open);
    }
    return true;
}

void OpenSessions::keep_only(const std::set<std::string>& sources) {
    for (auto it = open_.begin(); it != open_.end();) {
        if (sources.count(it->second.source)) {
            ++it;
        } else {
            it = open_.erase(it);
            membership_changed_ = true;
        }
    }
}

void OpenSessions::remember_end(const std::string& id, std::int64_t now) {
    ended_[id] = now;
    membership_changed_ = true;
}

void OpenSessions::forget_old_ends(std::int64_t now) {
    for (auto it = ended_.begin(); it != ended_.end();) {
        it = now - it->second > kRememberEndsSeconds ? ended_.erase(it) : std::next(it);
    }
}

Status OpenSessions::save_if_due(std::int64_t now) {
    if (!membership_changed_ && now - saved_at_ < kSaveFiguresSeconds) return Ok{};
    forget_old_ends(now);
    auto saved = save();
    if (saved) saved_at_ = now;
    return saved;
}

// Rewritten whole: it serves a daemon that dies, not a machine that loses power (the record
// journal is synced).
Status OpenSessions::save() {
    std::string text;
    for (const auto& [id, record] : open_) text += record_to_json(record) + "\n";
    for (const auto& [id, at] : ended_) text += end_line(id, at) + "\n";
    if (auto replaced = replace_file(path_, text, Durability::process_death); !replaced) {
        return replaced;
    }
    membership_changed_ = false;
    return Ok{};
}

}  // namespace omp

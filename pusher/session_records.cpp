#include "session_records.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "real_address.hpp"
#include "session.hpp"

namespace omp {

using Json = nlohmann::ordered_json;

SessionRecord record_from_disconnect(const event::Event& e) {
    SessionRecord r;
    // The hook's microsecond timestamp, the instance and the port identify one session end;
    // a datagram delivered twice gives the same id.
    r.id = e.instance + "-" + std::to_string(e.ts_us) + "-" + std::to_string(e.real_port);
    r.instance = e.instance;
    r.common_name = e.common_name;
    r.username = username_or_common_name(e.username, e.common_name);
    r.client_ip = canonical_client_ip(e.real_ip);
    r.client_port = e.real_port;
    r.virtual_ip = e.virtual_ip;
    r.virtual_ipv6 = e.virtual_ipv6;
    r.connected_at = e.connected_at;
    r.disconnected_at = e.ts_us / 1000000;
    r.duration = e.duration.value_or(r.connected_at ? r.disconnected_at - r.connected_at : 0);
    r.bytes_received = e.bytes_received.value_or(0);
    r.bytes_sent = e.bytes_sent.value_or(0);
    return r;
}

std::string record_to_json(const SessionRecord& r) {
    Json j = {{"id", r.id},
              {"instance", r.instance},
              {"username", r.username},
              {"common_name", r.common_name},
              {"client_ip", r.client_ip},
              {"client_port", r.client_port},
              {"virtual_ip", r.virtual_ip},
              {"virtual_ipv6", r.virtual_ipv6},
              {"connected_at", r.connected_at},
              {"disconnected_at", r.disconnected_at},
              {"duration", r.duration},
              {"bytes_received", r.bytes_received},
              {"bytes_sent", r.bytes_sent},
              {"reason", r.reason}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<SessionRecord> record_from_json(std::string_view line) {
    try {
        Json j = Json::parse(line);
        SessionRecord r;
        r.id = j.at("id").get<std::string>();
        r.instance = j.at("instance").get<std::string>();
        r.username = j.at("username").get<std::string>();
        r.common_name = j.at("common_name").get<std::string>();
        r.client_ip = j.at("client_ip").get<std::string>();
        r.client_port = j.at("client_port").get<std::uint16_t>();
        r.virtual_ip = j.at("virtual_ip").get<std::string>();
        r.virtual_ipv6 = j.at("virtual_ipv6").get<std::string>();
        r.connected_at = j.at("connected_at").get<std::int64_t>();
        r.disconnected_at = j.at("disconnected_at").get<std::int64_t>();
        r.duration = j.at("duration").get<std::int64_t>();
        r.bytes_received = j.at("bytes_received").get<std::uint64_t>();
        r.bytes_sent = j.at("bytes_sent").get<std::uint64_t>();
        r.reason = j.at("reason").get<std::string>();
        if (r.id.empty()) return error("record without id");
        return r;
    } catch (const std::exception& e) {  // nlohmann's parse and type errors stay in here
        return error(std::string("bad record: ") + e.what());
    }
}

Result<RecordStore> RecordStore::open(const std::string& directory, std::size_t capacity) {
    if (mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
        return error("cannot create state directory `" + directory + "': " + std::strerror(errno));
    }
    RecordStore store(directory + "/session-records.jsonl", std::max<std::size_t>(capacity, 1));
    std::ifstream in(store.path_);
    std::set<std::string> seen;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto record = record_from_json(line);
        if (!record) {
            ++store.unreadable_;  // e.g. a line cut short by a crash mid-write
            continue;
        }
        if (!seen.insert(record->id).second) continue;
        store.records_.push_back(std::move(*record));
        if (store.records_.size() > store.capacity_) {
            store.records_.pop_front();
            ++store.dropped_;
        }
    }
    // Start from a clean journal: no half lines, no duplicates, within capacity.
    if (auto rewritten = store.rewrite(); !rewritten) return rewritten.error();
    return store;
}

Status RecordStore::append_line(const std::string& line) {
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return error("cannot open `" + path_ + "': " + std::strerror(errno));
    std::string text = line + "\n";
    ssize_t n = ::write(fd, text.data(), text.size());
    int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(text.size())) return error("cannot append to `" + path_ + "': " + std::strerror(err));
    unsynced_ = true;
    return Ok{};
}

Status RecordStore::add(SessionRecord record) {
    bool known = std::any_of(records_.begin(), records_.end(),
                             [&](const SessionRecord& r) { return r.id == record.id; });
    if (known) return Ok{};
    std::string line = record_to_json(record);
    records_.push_back(std::move(record));
    if (records_.size() > capacity_) {
        records_.pop_front();
        ++dropped_;
        return rewrite();  // the dropped one must leave the journal too
    }
    return append_line(line);
}

void RecordStore::set_capacity(std::size_t capacity) {
    capacity_ = std::max<std::size_t>(capacity, 1);
    if (records_.size() <= capacity_) return;
    while (records_.size() > capacity_) {
        records_.pop_front();
        ++dropped_;
    }
    (void)rewrite();
}

const SessionRecord* RecordStore::find(const std::string& id) const {
    for (const auto& r : records_) {
        if (r.id == id) return &r;
    }
    return nullptr;
}

Status RecordStore::set_reason(const std::string& id, std::string reason) {
    for (auto& r : records_) {
        if (r.id == id) {
            r.reason = std::move(reason);
            return rewrite();
        }
    }
    return Ok{};
}

Status RecordStore::acknowledge(const std::vector<std::string>& ids) {
    if (ids.empty()) return Ok{};
    std::set<std::string> acked(ids.begin(), ids.end());
    auto before = records_.size();
    records_.erase(std::remove_if(records_.begin(), records_.end(),
                                  [&](const SessionRecord& r) { return acked.count(r.id) > 0; }),
                   records_.end());
    return records_.size() == before ? Status(Ok{}) : rewrite();
}

Status RecordStore::rewrite() {
    std::string temp = path_ + ".tmp";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return error("cannot write `" + temp + "': " + std::strerror(errno));
    std::string text;
    for (const auto& r : records_) text += record_to_json(r) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fdatasync(fd) == 0;
    int err = errno;
    ::close(fd);
    if (!ok || ::rename(temp.c_str(), path_.c_str()) != 0) {
        if (ok) err = errno;
        ::unlink(temp.c_str());
        return error("cannot write `" + path_ + "': " + std::strerror(err));
    }
    unsynced_ = false;
    return Ok{};
}

void RecordStore::sync() {
    if (!unsynced_) return;
    int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fdatasync(fd);
        ::close(fd);
    }
    unsynced_ = false;
}

}  // namespace omp

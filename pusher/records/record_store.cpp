#include "records/record_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "records/state_files.hpp"

namespace omp {

namespace {

using Json = nlohmann::json;

// Journal lines other than a record (a record's line starts with its "id").
std::string reason_line(const std::string& id, const std::string& reason) {
    return Json{{"reason_of", id}, {"reason", reason}}.dump(-1, ' ', false,
                                                            Json::error_handler_t::replace);
}

std::string ids_line(const char* what, const std::vector<std::string>& ids) {
    return Json{{what, ids}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Compaction once the journal is this much longer than the pending records: each change pays
// for at most two lines of a rewrite, and a small store is not rewritten every few changes.
constexpr std::size_t kCompactionSlack = 1000;

}  // namespace

RecordStore::RecordStore(std::string path, std::size_t capacity)
    : path_(std::move(path)), capacity_(std::clamp<std::size_t>(capacity, 1, kMaxCapacity)) {}

Result<RecordStore> RecordStore::open(const std::string& directory, std::size_t capacity) {
    if (auto made = make_state_directory(directory); !made) return made.error();
    RecordStore store(directory + "/session-records.jsonl", capacity);
    std::ifstream in(store.path_);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) store.replay(line);
    }
    store.dropped_ += store.drop_over_capacity().size();
    // Start from a compact journal: no half lines, no replayed changes, within capacity.
    if (auto rewritten = store.rewrite(); !rewritten) return rewritten.error();
    return store;
}

// One journal line, as written by add/set_reason/acknowledge/drop_over_capacity.
void RecordStore::replay(const std::string& line) {
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        ++unreadable_;  // e.g. a line cut short by a crash mid-write
        return;
    }
    try {
        for (const char* key : {"acknowledged", "dropped"}) {
            if (!j.contains(key)) continue;
            for (const auto& id : j.at(key)) erase(id.get<std::string>());
            return;
        }
        if (j.contains("reason_of")) {
            auto id = j.at("reason_of").get<std::string>();
            if (auto it = order_of_.find(id); it != order_of_.end()) {
                records_.at(it->second).reason = j.at("reason").get<std::string>();
            }
            return;
        }
    } catch (const Json::exception&) {
        ++unreadable_;
        return;
    }
    auto record = record_from_json(line);
    if (!record) {
        ++unreadable_;
        return;
    }
    put(std::move(*record));
}

// Adds a record, or replaces the pending one of the same id where it stays in line.
void RecordStore::put(SessionRecord record) {
    if (auto it = order_of_.find(record.id); it != order_of_.end()) {
        records_.at(it->second) = std::move(record);
        return;
    }
    auto order = next_order_++;
    order_of_.emplace(record.id, order);
    records_.emplace(order, std::move(record));
}

void RecordStore::erase(const std::string& id) {
    auto it = order_of_.find(id);
    if (it == order_of_.end()) return;
    records_.erase(it->second);
    order_of_.erase(it);
}

std::vector<std::string> RecordStore::drop_over_capacity() {
    std::vector<std::string> dropped;
    while (records_.size() > capacity_) {
        dropped.push_back(records_.begin()->second.id);
        erase(dropped.back());
    }
    return dropped;
}

Status RecordStore::add(SessionRecord record) {
    if (auto it = order_of_.find(record.id); it != order_of_.end()) {
        auto& stored = records_.at(it->second);
        bool more_exact = stored.observed == Observed::poll && record.observed == Observed::event;
        if (!more_exact) return Ok{};
        if (record.reason == "unknown") record.reason = stored.reason;
    }
    std::string lines = record_to_json(record) + "\n";
    put(std::move(record));
    auto dropped = drop_over_capacity();
    dropped_ += dropped.size();
    if (!dropped.empty()) lines += ids_line("dropped", dropped) + "\n";
    return append(lines, dropped.empty() ? 1 : 2);
}

void RecordStore::set_capacity(std::size_t capacity) {
    capacity_ = std::clamp<std::size_t>(capacity, 1, kMaxCapacity);
    auto dropped = drop_over_capacity();
    if (dropped.empty()) return;
    dropped_ += dropped.size();
    (void)append(ids_line("dropped", dropped) + "\n", 1);
}

const SessionRecord* RecordStore::find(const std::string& id) const {
    auto it = order_of_.find(id);
    return it == order_of_.end() ? nullptr : &records_.at(it->second);
}

Status RecordStore::set_reason(const std::string& id, std::string reason) {
    auto it = order_of_.find(id);
    if (it == order_of_.end()) return Ok{};
    records_.at(it->second).reason = reason;
    return append(reason_line(id, reason) + "\n", 1);
}

Status RecordStore::acknowledge(const std::vector<std::string>& ids) {
    std::vector<std::string> known;
    for (const auto& id : ids) {
        if (order_of_.count(id) == 0) continue;
        erase(id);
        known.push_back(id);
    }
    if (known.empty()) return Ok{};
    return append(ids_line("acknowledged", known) + "\n", 1);
}

// One write of whole lines. On failure (a full disk) the memory state is ahead of the
// journal; the next change tries a full rewrite instead, so nothing stays lost on disk.
Status RecordStore::append(const std::string& lines, std::size_t count) {
    journal_lines_ += count;
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        stale_ = true;
        return error("cannot open `" + path_ + "': " + std::strerror(errno));
    }
    ssize_t n = ::write(fd, lines.data(), lines.size());
    int err = errno;
    ::close(fd);
    unsynced_ = true;
    if (n != static_cast<ssize_t>(lines.size())) {
        stale_ = true;
        return error("cannot append to `" + path_ +
                     "': " + (n < 0 ? std::strerror(err) : "short write"));
    }
    return compact_if_long();
}

Status RecordStore::compact_if_long() {
    if (!stale_ && journal_lines_ <= 2 * records_.size() + kCompactionSlack) return Ok{};
    return rewrite();
}

Status RecordStore::rewrite() {
    std::string text;
    for (const auto& [order, r] : records_) text += record_to_json(r) + "\n";
    if (auto replaced = replace_file(path_, text, Durability::power_loss); !replaced) {
        return replaced;
    }
    journal_lines_ = records_.size();
    stale_ = false;
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

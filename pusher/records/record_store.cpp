#include "records/record_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

namespace omp {

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
    if (n != static_cast<ssize_t>(text.size()))
        return error("cannot append to `" + path_ + "': " + std::strerror(err));
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
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              ::fdatasync(fd) == 0;
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

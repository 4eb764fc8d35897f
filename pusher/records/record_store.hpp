// The record store: session records (core/session_record.hpp) kept until the panel has acknowledged
// them with a 2xx. They live on disk (one JSON line each in STATE_DIR/session-records.jsonl) so a
// panel outage, a daemon restart or a crash loses none; the store is bounded, dropping (and
// counting) the oldest first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/session_record.hpp"

namespace omp {

class RecordStore {
  public:
    // Loads what an earlier run left; a line that does not parse is skipped and counted.
    static Result<RecordStore> open(const std::string& directory, std::size_t capacity);

    // Appends to memory and to the journal (written at once: survives a crash of this process).
    Status add(SessionRecord record);
    // The oldest `limit` pending records for which `ready(id)` holds, for the next POST.
    template <typename Ready>
    std::vector<SessionRecord> pending(std::size_t limit, Ready&& ready) const {
        std::vector<SessionRecord> out;
        for (const auto& r : records_) {
            if (out.size() >= limit) break;
            if (ready(r.id)) out.push_back(r);
        }
        return out;
    }
    std::vector<SessionRecord> pending(std::size_t limit) const {
        return pending(limit, [](const std::string&) { return true; });
    }
    const SessionRecord* find(const std::string& id) const;
    // The log explained the session's end after the record was made.
    Status set_reason(const std::string& id, std::string reason);
    // The panel took these: forget them and rewrite the journal.
    Status acknowledge(const std::vector<std::string>& ids);
    // Flushes the journal to the disk itself (power loss), at most once a cycle.
    void sync();

    // A smaller bound drops the oldest at once.
    void set_capacity(std::size_t capacity);

    std::size_t size() const { return records_.size(); }
    std::uint64_t dropped() const { return dropped_; }
    std::size_t unreadable_lines() const { return unreadable_; }
    const std::string& path() const { return path_; }

  private:
    RecordStore(std::string path, std::size_t capacity)
        : path_(std::move(path)), capacity_(capacity) {}
    Status rewrite();
    Status append_line(const std::string& line);

    std::string path_;
    std::size_t capacity_;
    std::deque<SessionRecord> records_;
    std::uint64_t dropped_ = 0;
    std::size_t unreadable_ = 0;
    bool unsynced_ = false;
};

}  // namespace omp

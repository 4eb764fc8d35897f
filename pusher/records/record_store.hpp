// The record store: session records (core/session_record.hpp) kept until the panel has
// acknowledged them with a 2xx. They live on disk so a panel outage, a daemon restart or a
// crash loses none; the store is bounded, dropping (and counting) the oldest first.
//
// The file (STATE_DIR/session-records.jsonl) is an append-only journal, one JSON line per
// change: a record (added, or replacing a pending one of the same id), a reason set later,
// a batch acknowledged, records dropped by the bound. Every change costs one short append, not a
// rewrite; the journal is compacted (rewritten with only the pending records) once it holds
// more than twice as many lines as there are pending records, so that work is O(1) amortised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "core/session_record.hpp"

namespace omp {

class RecordStore {
  public:
    // The bound of --max-records: 1,000,000 records are about 0.5 GB of memory and disk.
    static constexpr std::size_t kMaxCapacity = 1000000;

    // Replays what an earlier run left; a line that does not parse is skipped and counted.
    static Result<RecordStore> open(const std::string& directory, std::size_t capacity);

    // A new id is appended. A known pending id is replaced only by a record observed from an
    // event where the stored one was reconstructed from polls (OpenVPN's own figures win).
    Status add(SessionRecord record);
    // The oldest `limit` pending records for which `ready(id)` holds, for the next POST.
    template <typename Ready>
    std::vector<SessionRecord> pending(std::size_t limit, Ready&& ready) const {
        std::vector<SessionRecord> out;
        for (const auto& [seq, r] : records_) {
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
    // The panel took these: forget them.
    Status acknowledge(const std::vector<std::string>& ids);
    // Flushes the journal to the disk itself (power loss), at most once a cycle.
    void sync();

    // A smaller bound drops the oldest at once.
    void set_capacity(std::size_t capacity);

    std::size_t size() const { return records_.size(); }
    std::uint64_t dropped() const { return dropped_; }
    std::size_t unreadable_lines() const { return unreadable_; }
    std::size_t journal_lines() const { return journal_lines_; }
    const std::string& path() const { return path_; }

  private:
    RecordStore(std::string path, std::size_t capacity);
    void replay(const std::string& line);
    void put(SessionRecord record);
    void erase(const std::string& id);
    std::vector<std::string> drop_over_capacity();
    Status append(const std::string& lines, std::size_t count);
    Status compact_if_long();
    Status rewrite();

    std::string path_;
    std::size_t capacity_;
    // Pending records in the order they were first added; ids point into it.
    std::map<std::uint64_t, SessionRecord> records_;
    std::unordered_map<std::string, std::uint64_t> order_of_;
    std::uint64_t next_order_ = 0;
    std::size_t journal_lines_ = 0;
    std::uint64_t dropped_ = 0;
    std::size_t unreadable_ = 0;
    bool unsynced_ = false;
    bool stale_ = false;  // an append failed: the next change rewrites the journal whole
};

}  // namespace omp

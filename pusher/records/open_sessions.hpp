// The open sessions: every OpenVPN session a complete poll has listed and no end has been seen
// for yet, with the figures of the last poll that listed it. It is how no session ends without
// a record: a disconnect event can be lost (the plugin's send fails when the socket's queue is
// full, or nobody is listening while the daemon is stopped or upgraded), but a complete poll
// that no longer lists a session is proof it ended, and this book still has its last figures.
//
// Kept on disk (STATE_DIR/open-sessions.jsonl, rewritten whole) so that a daemon that was
// stopped, killed or upgraded still knows what was open. Ids (core/session_record.hpp) are the
// same whether an end is seen by an event or by a poll, and the book remembers recent ends, so a
// late event, or a poll that still lists a session whose event came first, makes no second
// record.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "core/session_record.hpp"
#include "core/source_report.hpp"

namespace omp {

class OpenSessions {
  public:
    // How long an end is remembered: far longer than a datagram waits in the socket's queue or
    // a poll in flight, short enough to stay small under churn.
    static constexpr std::int64_t kRememberEndsSeconds = 600;
    // Figures are saved at least this often while the set of open sessions does not change.
    static constexpr std::int64_t kSaveFiguresSeconds = 30;

    // Loads what an earlier run left (a missing file is an empty book; bad lines are skipped).
    static Result<OpenSessions> open(const std::string& directory);

    // A finished poll of one source, at `now` (epoch seconds). Only a complete OpenVPN poll
    // (answered, no malformed row) decides: it opens what it lists, and returns a record, made
    // from its last poll, for each open session of that source it no longer lists.
    std::vector<SessionRecord> update(const SourceReport& report, std::int64_t now);
    // A session's end came from `event`, made into `record`. False when that end is known
    // already (a datagram delivered twice, or an event later than the poll that ended the
    // session). A byte count the event lacks is taken from the last poll that listed it.
    bool end_by_event(SessionRecord& record, const event::Event& event, std::int64_t now);
    // Sources no longer configured: their sessions are forgotten without records.
    void keep_only(const std::set<std::string>& sources);

    // Writes the book when the open set changed, or its figures are kSaveFiguresSeconds old.
    Status save_if_due(std::int64_t now);
    Status save();

    std::size_t size() const { return open_.size(); }
    const std::string& path() const { return path_; }

  private:
    explicit OpenSessions(std::string path) : path_(std::move(path)) {}
    void remember_end(const std::string& id, std::int64_t now);
    void forget_old_ends(std::int64_t now);

    std::string path_;
    // By session id: the record the session would get if it ended now.
    std::map<std::string, SessionRecord> open_;
    std::unordered_map<std::string, std::int64_t> ended_;  // id -> when its end was seen
    bool membership_changed_ = false;
    std::int64_t saved_at_ = 0;
};

}  // namespace omp

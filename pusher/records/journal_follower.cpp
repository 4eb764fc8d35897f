#include "records/journal_follower.hpp"

#include <systemd/sd-journal.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace omp {

Result<std::string> journal_unit_name(std::string_view unit) {
    // systemd's unit name alphabet; `@` for template instances such as openvpn-server@udp.
    bool valid =
        !unit.empty() && unit.size() < 250 && std::all_of(unit.begin(), unit.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   std::strchr(":-_.@\\", c) != nullptr;
        });
    if (!valid) return error("bad systemd unit `" + std::string(unit) + "'");
    std::string name(unit);
    if (name.find('.') == std::string::npos) name += ".service";
    return name;
}

Result<JournalFollower> JournalFollower::open(std::string unit) {
    auto name = journal_unit_name(unit);
    if (!name) return name.error();
    sd_journal* journal = nullptr;
    if (int rc = sd_journal_open(&journal, SD_JOURNAL_LOCAL_ONLY); rc < 0) {
        return error("cannot open the journal for " + *name + ": " + std::strerror(-rc));
    }
    JournalFollower follower(std::move(*name), journal);
    std::string match = "_SYSTEMD_UNIT=" + follower.unit_;
    if (int rc = sd_journal_add_match(journal, match.data(), match.size()); rc < 0) {
        return error("cannot follow " + follower.unit_ + " in the journal: " + std::strerror(-rc));
    }
    // At the tail, `next` would return the last old entry again: step back onto it first.
    sd_journal_seek_tail(journal);
    sd_journal_previous(journal);
    return follower;
}

JournalFollower::JournalFollower(JournalFollower&& other) noexcept
    : unit_(std::move(other.unit_)), journal_(std::exchange(other.journal_, nullptr)) {}

JournalFollower::~JournalFollower() {
    if (journal_) sd_journal_close(journal_);
}

void JournalFollower::read_new_lines(const std::function<void(std::string_view)>& line,
                                     std::size_t max_entries) {
    if (!journal_) return;
    sd_journal_process(journal_);  // notices new and rotated journal files
    for (std::size_t n = 0; n < max_entries && sd_journal_next(journal_) > 0; ++n) {
        const void* data = nullptr;
        std::size_t length = 0;
        if (sd_journal_get_data(journal_, "MESSAGE", &data, &length) < 0) continue;
        std::string_view field(static_cast<const char*>(data), length);
        constexpr std::string_view kPrefix = "MESSAGE=";
        if (field.starts_with(kPrefix)) line(field.substr(kPrefix.size()));
    }
}

}  // namespace omp

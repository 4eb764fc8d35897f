#include "openvpn/mgmt_conversation.hpp"

#include <memory>
#include <utility>

namespace omp {

namespace {

// Quotes untrusted text for an error message: short, printable.
std::string quoted(std::string_view text) {
    std::string out = "`";
    for (char c : text.substr(0, 60)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (text.size() > 60) out += "...";
    return out + "'";
}

constexpr std::string_view kPasswordPrompt = "ENTER PASSWORD:";

}  // namespace

MgmtConversation::MgmtConversation(std::string source_name, std::optional<std::string> password,
                                   bool keep_transcript)
    : password_(std::move(password)), parser_(std::move(source_name)) {
    if (keep_transcript) transcript_.emplace();
}

void MgmtConversation::ask_first() {
    if (transcript_) {
        output_ += "version\n";
        state_ = State::version_sent;
    } else {
        output_ += "status 3\n";
        state_ = State::status_sent;
    }
}

void MgmtConversation::feed(std::string_view bytes) {
    while (!bytes.empty() && !finished()) {
        std::size_t nl = bytes.find('\n');
        if (nl == std::string_view::npos) {
            pending_.append(bytes);
            // The password prompt is the one thing OpenVPN sends without a newline; after a
            // wrong password it simply prompts again.
            if (state_ == State::greeting && pending_ == kPasswordPrompt) {
                pending_.clear();
                if (!password_) return fail("asks for a password; set --mgmt-password-file");
                output_ += *password_ + "\n";
                state_ = State::password_sent;
            } else if (state_ == State::password_sent && pending_ == kPasswordPrompt) {
                fail("rejected the management password");
            } else if (pending_.size() > kMaxLine) {
                fail("sent a line over " + std::to_string(kMaxLine) + " bytes (not OpenVPN?)");
            }
            return;
        }
        if (pending_.empty()) {
            on_line(bytes.substr(0, nl));
        } else {
            pending_.append(bytes.substr(0, nl));
            std::string line = std::move(pending_);
            pending_.clear();
            on_line(line);
        }
        bytes.remove_prefix(nl + 1);
    }
}

void MgmtConversation::on_line(std::string_view line) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.size() > kMaxLine) {
        return fail("sent a line over " + std::to_string(kMaxLine) + " bytes (not OpenVPN?)");
    }
    if (transcript_ && line.starts_with(">INFO:")) transcript_->greeting = line;
    switch (state_) {
        case State::greeting:
            return on_greeting_line(line);
        case State::password_sent:
            return on_password_answer(line);
        case State::version_sent:
        case State::state_sent:
        case State::load_stats_sent:
            return on_proxy_answer_line(line);
        case State::status_sent:
            return on_status_line(line);
        case State::done:
        case State::failed:
            return;
    }
}

void MgmtConversation::on_greeting_line(std::string_view line) {
    // A prompt followed by a newline (some builds) counts as the prompt too.
    if (line.starts_with(kPasswordPrompt)) {
        if (!password_) return fail("asks for a password; set --mgmt-password-file");
        output_ += *password_ + "\n";
        state_ = State::password_sent;
    } else if (line.starts_with(">INFO:")) {
        ask_first();
    } else if (!line.starts_with('>')) {
        fail("unexpected greeting " + quoted(line));
    }
}

void MgmtConversation::on_password_answer(std::string_view line) {
    if (line.starts_with("SUCCESS:")) {
        ask_first();
    } else if (line.starts_with("ERROR:") || line.starts_with(kPasswordPrompt)) {
        fail("rejected the management password");
    } else if (!line.starts_with('>') && !line.empty()) {
        fail("unexpected answer to the password " + quoted(line));
    }
}

// For a proxy: version, state and load-stats, each answer kept for the proxy's clients.
void MgmtConversation::on_proxy_answer_line(std::string_view line) {
    if (line.starts_with('>')) return;  // real-time notification
    if (state_ == State::load_stats_sent) {
        // An OpenVPN without load-stats says ERROR; the proxy then says so too.
        transcript_->load_stats = line;
        output_ += "status 3\n";
        state_ = State::status_sent;
        return;
    }
    bool version = state_ == State::version_sent;
    // `state` may answer ERROR: that ends its answer as END does.
    if (line == "END" || (!version && line.starts_with("ERROR:"))) {
        output_ += version ? "state\n" : "load-stats\n";
        state_ = version ? State::state_sent : State::load_stats_sent;
        return;
    }
    std::string& answer = version ? transcript_->version : transcript_->state;
    if (answer.size() < kMaxLine) answer.append(line).append("\n");
}

void MgmtConversation::on_status_line(std::string_view line) {
    if (line.starts_with('>')) return;  // real-time notification
    if (line == "END") {
        output_ += "quit\n";  // only after END, or OpenVPN may drop the status
        status_ = std::move(parser_).finish();
        if (status_->error) return fail(*status_->error);
        if (transcript_) {
            status_->transcript = std::make_shared<const MgmtTranscript>(std::move(*transcript_));
        }
        state_ = State::done;
        return;
    }
    if (line.starts_with("ERROR:")) return fail("answered " + quoted(line));
    status_bytes_ += line.size() + 1;
    if (status_bytes_ > kMaxStatusBytes) {
        return fail("status output exceeds " + std::to_string(kMaxStatusBytes >> 20) + " MiB");
    }
    if (line.starts_with("CLIENT_LIST") && ++status_rows_ > kMaxRows) {
        return fail("lists more than " + std::to_string(kMaxRows) + " clients (not OpenVPN?)");
    }
    if (transcript_) transcript_->status.append(line).append("\n");
    parser_.feed_line(line);
}

void MgmtConversation::closed() {
    if (finished()) return;
    switch (state_) {
        case State::greeting:
            return fail("closed the connection before its greeting");
        case State::password_sent:
            return fail("closed the connection after the password");
        default:
            return fail("closed the connection before END");
    }
}

std::string MgmtConversation::take_output() {
    return std::exchange(output_, {});
}

ParsedStatus MgmtConversation::take_status() {
    return std::move(*status_);
}

void MgmtConversation::fail(std::string message) {
    state_ = State::failed;
    error_ = std::move(message);
    pending_.clear();
}

}  // namespace omp

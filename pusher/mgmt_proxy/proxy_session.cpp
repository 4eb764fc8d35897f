#include "mgmt_proxy/proxy_session.hpp"

#include "base/secret.hpp"
#include "mgmt_proxy/proxy_answers.hpp"

namespace omp {

namespace {

constexpr std::string_view kDefaultGreeting =
    ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info";
constexpr std::string_view kPasswordPrompt = "ENTER PASSWORD:";

std::string greeting(const MgmtTranscript* transcript) {
    return std::string(transcript && !transcript->greeting.empty() ? transcript->greeting
                                                                   : kDefaultGreeting) +
           "\n";
}

}  // namespace

ProxySession::ProxySession(std::string instance, std::optional<std::string> password)
    : instance_(std::move(instance)), password_(std::move(password)), authorised_(!password_) {}

void ProxySession::begin(const MgmtTranscript* transcript) {
    if (authorised_) {
        queue(greeting(transcript));
    } else {
        out_ += kPasswordPrompt;  // OpenVPN prompts without a newline
    }
}

void ProxySession::received(std::string_view bytes, const MgmtTranscript* transcript) {
    if (ending_) return;
    in_.append(bytes);
    answer_waiting(transcript);
    if (!ending_ && in_.size() > kMaxLine && in_.find('\n') == std::string::npos) {
        ending_ = true;  // no answer: it is not speaking the protocol
        in_.clear();
    }
}

void ProxySession::peer_closed(const MgmtTranscript* transcript) {
    peer_closed_ = true;
    answer_waiting(transcript);  // ends the session once no complete line is left
}

void ProxySession::answer_waiting(const MgmtTranscript* transcript) {
    std::size_t nl;
    while (out_.empty() && !ending_ && (nl = in_.find('\n')) != std::string::npos) {
        std::string line = in_.substr(0, nl);
        in_.erase(0, nl + 1);
        on_line(line, transcript);
    }
    if (peer_closed_ && in_.find('\n') == std::string::npos) ending_ = true;
}

void ProxySession::on_line(std::string_view line, const MgmtTranscript* transcript) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!authorised_) {
        if (!same_secret(line, *password_)) {
            queue("ERROR: bad password\n");
            ending_ = true;
            return;
        }
        authorised_ = true;
        queue("SUCCESS: password is correct\n" + greeting(transcript));
        return;
    }
    auto answer = answer_command(line, transcript, instance_);
    queue(answer.text);
    if (answer.close) ending_ = true;
}

// OpenVPN ends every management line with \r\n; tools such as openvpn-monitor rely on it.
void ProxySession::queue(std::string_view text) {
    out_.reserve(out_.size() + text.size() + text.size() / 16);
    for (char c : text) {
        if (c == '\n') out_ += '\r';
        out_ += c;
    }
}

}  // namespace omp

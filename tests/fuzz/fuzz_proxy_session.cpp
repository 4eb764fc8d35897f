// libFuzzer: a management proxy session on arbitrary bytes, as any local process could send
// them, in chunks whose sizes the input chooses, with the socket taking arbitrary amounts of
// the output. Invariants: every line out ends in \r\n (the password prompt aside), and a
// session whose peer has closed always ends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mgmt_proxy/proxy_session.hpp"

namespace {

const omp::MgmtTranscript kTranscript{
    ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info",
    "OpenVPN Version: OpenVPN 2.6.14\nManagement Version: 5\n",
    "1796402400,CONNECTED,SUCCESS,10.8.0.1,,,,,\n",
    "SUCCESS: nclients=1,bytesin=1000,bytesout=2000",
    "TITLE\tOpenVPN 2.6.14\nTIME\t2026-12-04 16:50:00\t1796403000\nHEADER\tCLIENT_LIST\tCommon "
    "Name\tReal Address\nCLIENT_LIST\talice\t192.0.2.7:40000\n"};

void check_lines(const std::string& sent) {
    for (std::size_t at = 0; (at = sent.find('\n', at)) != std::string::npos; ++at) {
        if (at == 0 || sent[at - 1] != '\r') std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    bool with_password = data[0] & 1;
    const omp::MgmtTranscript* transcript = (data[0] & 2) ? &kTranscript : nullptr;
    omp::ProxySession session("udp",
                              with_password ? std::optional<std::string>("pw") : std::nullopt);
    session.begin(transcript);
    std::string sent;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    while (!input.empty() && !session.finished()) {
        // The first byte of each step: how much the client sends, how much the socket takes.
        auto step = static_cast<unsigned char>(input.front());
        input.remove_prefix(1);
        std::size_t take = std::min<std::size_t>(step % 64 + 1, session.output().size());
        sent += session.output().substr(0, take);
        session.output().erase(0, take);
        session.answer_waiting(transcript);
        if (session.reading()) {
            std::size_t chunk = std::min<std::size_t>(step / 4 + 1, input.size());
            session.received(input.substr(0, chunk), transcript);
            input.remove_prefix(chunk);
        }
    }
    session.peer_closed(transcript);
    for (int turns = 0; !session.finished() && turns < 100000; ++turns) {
        sent += session.output();
        session.output().clear();
        session.answer_waiting(transcript);
    }
    if (!session.finished()) std::abort();  // a closed peer's session always ends
    if (with_password && sent.starts_with("ENTER PASSWORD:")) sent.erase(0, 15);
    check_lines(sent);
    return 0;
}

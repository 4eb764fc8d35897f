// libFuzzer: the management conversation and status parser on arbitrary bytes, as an
// endpoint could send them. Never crashes, never reads out of bounds, stays within its caps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "openvpn/mgmt_conversation.hpp"
#include "openvpn/status_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    omp::parse_status(text, "fuzz");

    omp::MgmtConversation conversation("fuzz", std::string("pw"));
    conversation.feed(">INFO:OpenVPN Management Interface Version 5\r\n");
    // Split the input where it says so, to exercise partial lines.
    std::size_t cut = size ? data[0] % (size + 1) : 0;
    conversation.feed(text.substr(0, cut));
    conversation.feed(text.substr(cut));
    conversation.closed();
    if (conversation.finished() && !conversation.failed()) conversation.take_status();
    return 0;
}

// libFuzzer: the event-datagram decoder on arbitrary bytes, as a local sender could send them;
// and encode(decode(x)) must decode again to the same event.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_datagram.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace omp::event;
    auto decoded = decode(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!decoded) return 0;
    const Event* event = &*decoded;
    std::string port = event->real_port ? std::to_string(event->real_port) : "";
    std::string since = event->connected_at ? std::to_string(event->connected_at) : "";
    EventFields f;
    f.kind = event->kind;
    f.source = event->source;
    f.ts_us = event->ts_us;
    f.common_name = event->common_name;
    f.username = event->username;
    f.real_ip = event->real_ip;
    f.real_port = port;
    f.virtual_ip = event->virtual_ip;
    f.virtual_ipv6 = event->virtual_ipv6;
    f.connected_at = since;
    std::array<char, kMaxDatagram> buffer;
    std::size_t n = encode(f, buffer);
    auto again = decode(std::string_view(buffer.data(), n));
    const Event* back = again ? &*again : nullptr;
    if (!back || back->source.substr(0, kMaxValue) != event->source.substr(0, kMaxValue))
        std::abort();
    return 0;
}

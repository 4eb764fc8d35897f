#include "core/session.hpp"

#include "core/real_address.hpp"
#include "event/event_datagram.hpp"

namespace omp {

Session session_from_event(const event::Event& e) {
    Session s;
    s.source = e.source;
    s.common_name = e.common_name;
    s.username = username_or_common_name(e.username, e.common_name);
    s.real_ip = canonical_real_ip(e.real_ip);
    if (e.real_port) s.real_port = e.real_port;
    s.virtual_ip = e.virtual_ip;
    s.virtual_ipv6 = e.virtual_ipv6;
    s.bytes_received = e.bytes_received.value_or(0);
    s.bytes_sent = e.bytes_sent.value_or(0);
    s.connected_at = e.connected_at ? e.connected_at : e.ts_us / 1000000;
    return s;
}

}  // namespace omp

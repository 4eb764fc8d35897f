#include "event/event_datagram.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

namespace omp::event {

std::string_view to_string(Kind kind) {
    return kind == Kind::connect ? "connect" : "disconnect";
}

bool valid_source_name(std::string_view name) {
    if (name.empty() || name.size() > 32) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

namespace {

// Appends into a fixed buffer and silently stops at its end: the plugin must never fail.
class FixedWriter {
  public:
    explicit FixedWriter(std::span<char, kMaxDatagram> out) : out_(out) {}

    void raw(std::string_view bytes) {
        std::size_t n = std::min(bytes.size(), out_.size() - used_);
        std::memcpy(out_.data() + used_, bytes.data(), n);
        used_ += n;
    }

    // key=value NUL, or nothing when the whole "key=" does not fit or the value is empty.
    void field(std::string_view key, std::string_view value) {
        if (value.empty()) return;
        std::size_t room = out_.size() - used_;
        if (room < key.size() + 3) return;  // '=', one byte of value, NUL
        value = value.substr(0, std::min({value.size(), kMaxValue, room - key.size() - 2}));
        raw(key);
        raw("=");
        raw(value);
        raw(std::string_view("\0", 1));
    }

    std::size_t used() const { return used_; }

  private:
    std::span<char, kMaxDatagram> out_;
    std::size_t used_ = 0;
};

template <typename Int>
bool parse_int(std::string_view text, Int& out) {
    if (text.empty()) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::size_t encode(const EventFields& f, std::span<char, kMaxDatagram> out) noexcept {
    FixedWriter w(out);
    w.raw(kMagic);
    w.raw(std::string_view("\0", 1));

    char ts[24];
    auto ts_end = std::to_chars(ts, ts + sizeof ts, f.ts_us).ptr;

    w.field("sender_key", f.sender_key);
    w.field("event", to_string(f.kind));
    w.field("instance", f.source);
    w.field("ts_us", std::string_view(ts, ts_end - ts));
    w.field("common_name", f.common_name);
    w.field("username", f.username);
    w.field("real_ip", f.real_ip);
    w.field("real_port", f.real_port);
    w.field("virtual_ip", f.virtual_ip);
    w.field("virtual_ipv6", f.virtual_ipv6);
    w.field("connected_at", f.connected_at);
    if (f.kind == Kind::disconnect) {
        w.field("bytes_received", f.bytes_received);
        w.field("bytes_sent", f.bytes_sent);
        w.field("duration", f.duration);
    }
    return w.used();
}

namespace {

struct Decoder {
    Event event;
    bool has_event = false, has_source = false, has_ts = false;
    unsigned seen = 0;  // bit per known key, to reject duplicates

    std::optional<std::string> take(std::string_view key, std::string_view value);
};

std::optional<std::string> bad_number(std::string_view key, std::string_view value) {
    return "bad number in `" + std::string(key) + "': `" + std::string(value) + "'";
}

std::optional<std::string> Decoder::take(std::string_view key, std::string_view value) {
    static constexpr std::string_view kKeys[] = {
        "event",          "instance",   "ts_us",      "common_name",  "username",
        "real_ip",        "real_port",  "virtual_ip", "virtual_ipv6", "connected_at",
        "bytes_received", "bytes_sent", "duration",   "sender_key"};
    auto it = std::find(std::begin(kKeys), std::end(kKeys), key);
    if (it == std::end(kKeys)) return std::nullopt;  // a newer plugin's key: ignore
    unsigned bit = 1u << (it - std::begin(kKeys));
    if (seen & bit) return "duplicate key `" + std::string(key) + "'";
    seen |= bit;

    if (key == "event") {
        if (value == "connect")
            event.kind = Kind::connect;
        else if (value == "disconnect")
            event.kind = Kind::disconnect;
        else
            return "unknown event `" + std::string(value) + "'";
        has_event = true;
    } else if (key == "instance") {
        if (value.empty()) return std::string("empty instance");
        event.source = value;
        has_source = true;
    } else if (key == "ts_us") {
        if (!parse_int(value, event.ts_us)) return bad_number(key, value);
        has_ts = true;
    } else if (key == "common_name") {
        event.common_name = value;
    } else if (key == "username") {
        event.username = value;
    } else if (key == "real_ip") {
        event.real_ip = value;
    } else if (key == "real_port") {
        if (!parse_int(value, event.real_port)) return bad_number(key, value);
    } else if (key == "virtual_ip") {
        event.virtual_ip = value;
    } else if (key == "virtual_ipv6") {
        event.virtual_ipv6 = value;
    } else if (key == "connected_at") {
        if (!parse_int(value, event.connected_at)) return bad_number(key, value);
    } else if (key == "bytes_received" || key == "bytes_sent") {
        std::uint64_t n = 0;
        if (!parse_int(value, n)) return bad_number(key, value);
        (key == "bytes_received" ? event.bytes_received : event.bytes_sent) = n;
    } else if (key == "sender_key") {
        event.sender_key = value;
    } else if (key == "duration") {
        std::int64_t n = 0;
        if (!parse_int(value, n)) return bad_number(key, value);
        event.duration = n;
    }
    return std::nullopt;
}

}  // namespace

Result<Event> decode(std::string_view datagram) {
    if (datagram.size() > kMaxDatagram) {
        return error("datagram of " + std::to_string(datagram.size()) + " bytes is over " +
                     std::to_string(kMaxDatagram));
    }
    std::size_t nul = datagram.find('\0');
    std::string_view version = datagram.substr(0, nul);
    if (version != kMagic) {
        std::string shown(version.substr(0, 40));
        return error("unknown format `" + shown + "' (this aggregator reads `" +
                     std::string(kMagic) + "')");
    }
    Decoder d;
    std::string_view rest = nul == std::string_view::npos ? "" : datagram.substr(nul + 1);
    while (!rest.empty()) {
        std::size_t end = rest.find('\0');
        if (end == std::string_view::npos) return error("last field is not terminated");
        std::string_view field = rest.substr(0, end);
        rest.remove_prefix(end + 1);
        std::size_t eq = field.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            return error("field without key=value: `" + std::string(field.substr(0, 40)) + "'");
        }
        if (auto err = d.take(field.substr(0, eq), field.substr(eq + 1))) {
            return error(*err);
        }
    }
    if (!d.has_event) return error("missing key `event'");
    if (!d.has_source) return error("missing key `instance'");
    if (!d.has_ts) return error("missing key `ts_us'");
    return d.event;
}

}  // namespace omp::event

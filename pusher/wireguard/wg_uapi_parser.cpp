#include "wireguard/wg_uapi_parser.hpp"

#include <cstring>
#include <optional>
#include <string>

#include "base/text_fields.hpp"

namespace omp {

namespace {

std::optional<int> hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return std::nullopt;
}

// A 32-byte key, 64 hex digits, as the 44-character base64 that wg(8) prints.
std::optional<std::string> hex_key_to_base64(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    unsigned char bytes[32];
    for (std::size_t i = 0; i < 32; ++i) {
        auto high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
        if (!high || !low) return std::nullopt;
        bytes[i] = static_cast<unsigned char>(*high << 4 | *low);
    }
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < 32; i += 3) {
        unsigned chunk =
            bytes[i] << 16 | (i + 1 < 32 ? bytes[i + 1] << 8 : 0) | (i + 2 < 32 ? bytes[i + 2] : 0);
        out += kAlphabet[chunk >> 18 & 63];
        out += kAlphabet[chunk >> 12 & 63];
        out += i + 1 < 32 ? kAlphabet[chunk >> 6 & 63] : '=';
        out += i + 2 < 32 ? kAlphabet[chunk & 63] : '=';
    }
    return out;
}

class UapiReader {
  public:
    explicit UapiReader(WgDump& dump) : dump_(dump) {}

    void line(std::string_view key, std::string_view value, std::size_t line_number) {
        if (key == "public_key") {
            close_peer();
            peer_.emplace();
            line_ = line_number;
            if (auto base64 = hex_key_to_base64(value))
                peer_->public_key = *base64;
            else
                problem_ = "bad public key";
            return;
        }
        if (!peer_) return;  // the interface's own keys
        if (key == "endpoint") {
            peer_->endpoint = parse_real_address(value);
            if (!peer_->endpoint) problem_ = "bad endpoint `" + std::string(value) + "'";
        } else if (key == "allowed_ip") {
            peer_->allowed_ips.emplace_back(value);
        } else if (key == "last_handshake_time_sec") {
            read_number(peer_->latest_handshake, value, key);
        } else if (key == "rx_bytes") {
            read_number(peer_->transfer_rx, value, key);
        } else if (key == "tx_bytes") {
            read_number(peer_->transfer_tx, value, key);
        }
    }

    void close_peer() {
        if (!peer_) return;
        if (problem_) {
            ++dump_.malformed_rows;
            if (!dump_.first_malformed)
                dump_.first_malformed = "peer at line " + std::to_string(line_) + ": " + *problem_;
        } else {
            dump_.peers.push_back(std::move(*peer_));
        }
        peer_.reset();
        problem_.reset();
    }

  private:
    template <typename Int>
    void read_number(Int& into, std::string_view value, std::string_view key) {
        auto number = parse_whole_number<Int>(value);
        if (number && *number >= 0)
            into = *number;
        else
            problem_ = "bad " + std::string(key);
    }

    WgDump& dump_;
    std::optional<WgPeer> peer_;
    std::optional<std::string> problem_;
    std::size_t line_ = 0;
};

}  // namespace

bool wg_uapi_answer_complete(std::string_view text) {
    if (!text.ends_with("\n\n")) return false;
    std::size_t last = text.rfind('\n', text.size() - 3);
    std::string_view errno_line = text.substr(last == std::string_view::npos ? 0 : last + 1);
    return errno_line.starts_with("errno=");
}

WgDump parse_wg_uapi(std::string_view text) {
    WgDump dump;
    UapiReader reader(dump);
    std::optional<int> error_number;
    std::size_t line_number = 0;
    for (std::string_view line : split(text, '\n')) {
        ++line_number;
        if (line.empty()) continue;
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            dump.error = "not a UAPI answer: line " + std::to_string(line_number) + " has no `='";
            return dump;
        }
        std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "errno") {
            error_number = parse_whole_number<int>(value);
            break;
        }
        reader.line(key, value, line_number);
    }
    reader.close_peer();
    if (!error_number) {
        dump.error = "the UAPI answer has no errno line";
    } else if (*error_number != 0) {
        dump.error = "the UAPI get failed: errno " + std::to_string(*error_number) + " (" +
                     std::strerror(*error_number) + ")";
    }
    return dump;
}

}  // namespace omp

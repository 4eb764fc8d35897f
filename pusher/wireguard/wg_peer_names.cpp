#include "wireguard/wg_peer_names.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/config_file.hpp"
#include "base/text_fields.hpp"

namespace omp {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_section(std::string_view line) {
    return line.starts_with('[') && line.ends_with(']');
}

bool is_wg_config(const std::vector<std::string_view>& lines) {
    return std::any_of(lines.begin(), lines.end(), [](std::string_view l) {
        l = trim(l);
        return iequals(l, "[Interface]") || iequals(l, "[Peer]");
    });
}

// `KEY = value` (also `KEY: value` in a comment); nullopt when the line is not of that shape.
std::optional<std::pair<std::string_view, std::string_view>> key_value(std::string_view line) {
    std::size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) return std::nullopt;
    return std::make_pair(trim(line.substr(0, sep)), trim(line.substr(sep + 1)));
}

// The name in a `# Name = alice` comment.
std::optional<std::string_view> name_comment(std::string_view line) {
    if (!line.starts_with('#')) return std::nullopt;
    auto kv = key_value(trim(line.substr(1)));
    if (!kv || !iequals(kv->first, "Name") || kv->second.empty()) return std::nullopt;
    return kv->second;
}

std::string where(const std::string& origin, std::size_t line) {
    return origin + ":" + std::to_string(line);
}

Status parse_map(const std::vector<std::string_view>& lines, const std::string& origin,
                 PeerNames& into) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = trim(lines[i]);
        if (line.empty() || line.starts_with('#')) continue;
        std::size_t gap = line.find_first_of(" \t");
        std::string_view key = line.substr(0, gap);
        std::string_view name =
            gap == std::string_view::npos ? std::string_view() : trim(line.substr(gap));
        if (!looks_like_wg_key(key) || name.empty()) {
            return error(where(origin, i + 1) + ": expected a public key, white space and a name");
        }
        into.set(std::string(key), std::string(name));
    }
    return Ok{};
}

Status parse_config(const std::vector<std::string_view>& lines, const std::string& origin,
                    PeerNames& into) {
    struct Peer {
        std::string key, name;
    };
    std::optional<Peer> peer;  // the [Peer] section being read
    std::optional<std::string> name_for_next;
    auto close_peer = [&] {
        if (peer && !peer->key.empty() && !peer->name.empty()) into.set(peer->key, peer->name);
        peer.reset();
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = trim(lines[i]);
        if (line.empty()) continue;
        if (auto name = name_comment(line)) {
            // Above a [Peer] line it names that peer; otherwise the section it sits in.
            name_for_next = std::string(*name);
            continue;
        }
        if (line.starts_with('#')) continue;
        if (is_section(line)) {
            close_peer();
            if (iequals(line, "[Peer]")) peer = Peer{{}, name_for_next.value_or("")};
            name_for_next.reset();
            continue;
        }
        if (peer && name_for_next && peer->name.empty()) peer->name = *name_for_next;
        name_for_next.reset();
        auto kv = key_value(line);
        if (peer && kv && iequals(kv->first, "PublicKey")) {
            if (!looks_like_wg_key(kv->second))
                return error(where(origin, i + 1) + ": PublicKey is not a WireGuard key");
            peer->key = std::string(kv->second);
        }
    }
    if (peer && name_for_next && peer->name.empty()) peer->name = *name_for_next;
    close_peer();
    return Ok{};
}

}  // namespace

bool looks_like_wg_key(std::string_view text) {
    if (text.size() != 44 || text.back() != '=') return false;
    return std::all_of(text.begin(), text.end() - 1, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    });
}

const std::string* PeerNames::name_of(const std::string& public_key) const {
    auto it = names_.find(public_key);
    return it == names_.end() ? nullptr : &it->second;
}

Status parse_peer_names(std::string_view text, const std::string& origin, PeerNames& into) {
    auto lines = split(text, '\n');
    return is_wg_config(lines) ? parse_config(lines, origin, into) : parse_map(lines, origin, into);
}

Result<PeerNames> load_peer_names(const std::vector<std::string>& paths) {
    PeerNames names;
    for (const auto& path : paths) {
        auto text = read_text_file(path);
        if (!text) return error("cannot read WireGuard peer names `" + path + "'");
        if (auto parsed = parse_peer_names(*text, path, names); !parsed) return parsed.error();
    }
    return names;
}

PeerNameFiles::PeerNameFiles(std::vector<std::string> paths, PeerNames names)
    : paths_(std::move(paths)),
      stamps_(stamps()),
      names_(std::make_shared<const PeerNames>(std::move(names))) {}

std::vector<PeerNameFiles::Stamp> PeerNameFiles::stamps() const {
    std::vector<Stamp> result;
    for (const auto& path : paths_) {
        struct stat st {};
        Stamp s;
        if (::stat(path.c_str(), &st) == 0) s = Stamp{true, st.st_ino, st.st_size, st.st_mtim};
        result.push_back(s);
    }
    return result;
}

bool PeerNameFiles::same(const std::vector<Stamp>& a, const std::vector<Stamp>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Stamp& x, const Stamp& y) {
        return x.exists == y.exists && x.inode == y.inode && x.size == y.size &&
               x.mtime.tv_sec == y.mtime.tv_sec && x.mtime.tv_nsec == y.mtime.tv_nsec;
    });
}

Status PeerNameFiles::refresh() {
    auto now = stamps();
    if (same(now, stamps_)) return Ok{};
    stamps_ = now;  // a bad file is said once, not on every poll
    auto fresh = load_peer_names(paths_);
    if (!fresh) return error(fresh.error().message + "; keeping the names read before");
    names_ = std::make_shared<const PeerNames>(std::move(*fresh));
    return Ok{};
}

}  // namespace omp

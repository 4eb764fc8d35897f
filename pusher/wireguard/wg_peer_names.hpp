// Names for WireGuard peers, by public key (--wg-peers / WG_PEERS). A file is either
//   - a peer map: one peer a line, the public key, white space, the name; `#` comments; or
//   - a WireGuard config (wg-quick's /etc/wireguard/IFACE.conf, recognised by its [Interface]
//     or [Peer] lines), where a `# Name = alice` comment names a peer: directly above its
//     [Peer] line, or inside its section.
// Configs hold private and preshared keys: messages name the file and line, never the text.
#pragma once

#include <sys/stat.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace omp {

class PeerNames {
  public:
    // nullptr when the key has no name.
    const std::string* name_of(const std::string& public_key) const;
    void set(std::string public_key, std::string name) {
        names_[std::move(public_key)] = std::move(name);
    }
    std::size_t size() const { return names_.size(); }

  private:
    std::map<std::string, std::string, std::less<>> names_;
};

// `origin` names the text in messages (a path). Later entries win for the same key.
Status parse_peer_names(std::string_view text, const std::string& origin, PeerNames& into);
// Every file in order; a later file wins for the same key.
Result<PeerNames> load_peer_names(const std::vector<std::string>& paths);

// The daemon's view of the files: re-read when one of them changes, so a peer added to the
// map shows with its name on the next poll without a reload. A file that turns bad keeps the
// names read before, and says so.
class PeerNameFiles {
  public:
    PeerNameFiles(std::vector<std::string> paths, PeerNames names);

    // Re-reads when a file's modification time, size or inode changed since the last read.
    Status refresh();
    std::shared_ptr<const PeerNames> names() const { return names_; }
    const std::vector<std::string>& paths() const { return paths_; }

  private:
    struct Stamp {
        bool exists = false;
        ino_t inode = 0;
        off_t size = 0;
        timespec mtime{};
    };
    std::vector<Stamp> stamps() const;
    static bool same(const std::vector<Stamp>& a, const std::vector<Stamp>& b);

    std::vector<std::string> paths_;
    std::vector<Stamp> stamps_;
    std::shared_ptr<const PeerNames> names_;
};

// A base64 Curve25519 key: 44 characters ending in '='.
bool looks_like_wg_key(std::string_view text);

}  // namespace omp

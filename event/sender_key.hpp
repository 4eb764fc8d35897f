// The sender key: a random secret in a file only root can read, next to the event socket
// (`SOCKET.key`). The plugin reads it in open_v3, which OpenVPN runs as root before `user` and
// `group` take effect, and puts it in every datagram; the daemon drops a datagram without it.
//
// Why: the socket is writable by OpenVPN's runtime user, and `nobody` is many programs' user.
// A uid check lets any of them forge events; the key proves a sender read a root-only file, so
// it is root or a process that root started with the plugin loaded. OpenVPN's memory stays
// out of reach of its own user after it drops privileges (the kernel makes a process that
// changed its credentials non-dumpable). What is left: root itself, and a second OpenVPN that
// root starts with this plugin (both are trusted by construction).
//
// Whoever comes first (the plugin at OpenVPN's start, or the daemon) creates it; it is
// published with link(), so the other never reads half a key.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace omp::event {

// 32 random bytes as lowercase hex.
inline constexpr std::size_t kSenderKeyLength = 64;

std::string sender_key_path(std::string_view socket_path);

// Creates the directory of `path` (mode 0755) unless it exists: the event socket's, which its
// key shares.
Status make_parent_directory(const std::string& path);

// Reads the key, creating it (and its directory, 0755) when missing. An error names the file
// and what is wrong with it: not a regular file, owned by another user than root or us,
// readable by group or others, or not a key.
Result<std::string> load_or_create_sender_key(const std::string& path) noexcept;

// Compares in time independent of where the keys differ.
bool same_key(std::string_view a, std::string_view b) noexcept;

}  // namespace omp::event

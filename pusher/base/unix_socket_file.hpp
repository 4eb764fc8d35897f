// The file of a listening unix socket, the one way the daemon makes one (the event socket, the
// management proxies): one left by a process that died is removed before the bind; one that a
// live process still serves is never taken over, nor is a file of another kind; the socket is
// born with its final mode; and the file is removed at the end only if it is still the one
// bound here, not a successor's.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.hpp"

namespace omp {

class UnixSocketFile {
  public:
    UnixSocketFile() = default;
    UnixSocketFile(std::string path, ino_t inode) : path_(std::move(path)), inode_(inode) {}
    ~UnixSocketFile() { remove(); }
    UnixSocketFile(UnixSocketFile&& other) noexcept { *this = std::move(other); }
    UnixSocketFile& operator=(UnixSocketFile&& other) noexcept;
    UnixSocketFile(const UnixSocketFile&) = delete;
    UnixSocketFile& operator=(const UnixSocketFile&) = delete;

    const std::string& path() const { return path_; }
    // Unlinks the file if it is still the one bound here.
    void remove();

  private:
    std::string path_;  // empty: nothing to remove
    ino_t inode_ = 0;
};

// Binds `fd` (a unix socket of `type`: SOCK_DGRAM, SOCK_STREAM) to `path`, born with `mode`.
// Errors start with `what` ("event socket `/run/...'", "management proxy unix:/run/...").
Result<UnixSocketFile> bind_unix_socket(int fd, const std::string& path, int type, mode_t mode,
                                        const std::string& what);

}  // namespace omp

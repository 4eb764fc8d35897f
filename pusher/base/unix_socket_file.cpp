#include "base/unix_socket_file.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace omp {

namespace {

// Whether a socket of this network namespace is bound to `path` (the kernel's own list).
bool bound_in_proc_net_unix(const std::string& path) {
    std::ifstream in("/proc/net/unix");
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > path.size() && line.ends_with(" " + path)) return true;
    }
    return false;
}

sockaddr_un unix_address(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), std::min(path.size() + 1, sizeof address.sun_path));
    return address;
}

// A socket file left by a process that died goes; one in use, or a file of another kind, stays.
Status clear_stale_socket(const std::string& path, int type, const std::string& what) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) return Ok{};
    if (!S_ISSOCK(st.st_mode))
        return error(what + ": bind: `" + path + "' exists and is not a socket");
    int probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (probe < 0) return error(what + ": socket: " + std::strerror(errno));
    sockaddr_un address = unix_address(path);
    int rc = connect(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
    int err = errno;
    close(probe);
    bool in_use = rc == 0;
    if (rc != 0 && err == EACCES) {
        // A socket left by a killed daemon may belong to another user: root without
        // CAP_DAC_OVERRIDE (as the unit runs it) may not connect to it. Ask the kernel's list.
        in_use = bound_in_proc_net_unix(path);
    } else if (rc != 0 && err != ECONNREFUSED) {
        return error(what + ": cannot check `" + path + "': " + std::strerror(err));
    }
    if (in_use) return error(what + " is in use by another running process");
    unlink(path.c_str());
    return Ok{};
}

}  // namespace

UnixSocketFile& UnixSocketFile::operator=(UnixSocketFile&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::move(other.path_);
        inode_ = other.inode_;
        other.path_.clear();
    }
    return *this;
}

void UnixSocketFile::remove() {
    if (path_.empty()) return;
    struct stat st {};
    if (lstat(path_.c_str(), &st) == 0 && st.st_ino == inode_) unlink(path_.c_str());
    path_.clear();
}

Result<UnixSocketFile> bind_unix_socket(int fd, const std::string& path, int type, mode_t mode,
                                        const std::string& what) {
    if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path))
        return error(what + ": the path must be 1 to 107 bytes");
    if (auto cleared = clear_stale_socket(path, type, what); !cleared) return cleared.error();
    sockaddr_un address = unix_address(path);
    // Born with its mode: no window in which others may connect or send.
    mode_t old_mask = umask(~mode & 0777);
    int rc = bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    int err = errno;
    umask(old_mask);
    if (rc != 0) return error(what + ": bind: " + std::strerror(err));
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0)
        return error(what + ": bound, then gone: " + std::strerror(errno));
    return UnixSocketFile(path, st.st_ino);
}

}  // namespace omp

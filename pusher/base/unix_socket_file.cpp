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

}  // namespace

Status clear_stale_socket(const std::string& path, int type, const std::string& what) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) return Ok{};
    if (!S_ISSOCK(st.st_mode))
        return error(what + " path `" + path + "' exists and is not a socket");
    int probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (probe < 0) return error(std::string("socket: ") + std::strerror(errno));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(),
                std::min(path.size() + 1, sizeof address.sun_path - 1));
    int rc = connect(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
    int err = errno;
    close(probe);
    bool in_use = rc == 0;
    if (rc != 0 && err == EACCES) {
        // A socket left by a killed daemon may belong to another user: root without
        // CAP_DAC_OVERRIDE (as the unit runs it) may not connect to it. Ask the kernel's list.
        in_use = bound_in_proc_net_unix(path);
    } else if (rc != 0 && err != ECONNREFUSED) {
        return error("cannot check " + what + " `" + path + "': " + std::strerror(err));
    }
    if (in_use) return error(what + " `" + path + "' is in use by another running process");
    unlink(path.c_str());
    return Ok{};
}

}  // namespace omp

#include "setup/file_edits.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace omp {

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return error("cannot read `" + path + "': " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Result<std::string> real_path(const std::string& path) {
    char* real = ::realpath(path.c_str(), nullptr);
    if (!real) return error("cannot resolve `" + path + "': " + std::strerror(errno));
    std::string resolved(real);
    std::free(real);
    return resolved;
}

Status sync_directory_of(const std::string& path) {
    std::string dir = path.substr(0, path.rfind('/'));
    int fd = ::open(dir.empty() ? "/" : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return error("cannot open `" + dir + "': " + std::strerror(errno));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return error("cannot sync `" + dir + "': " + std::strerror(err));
    return Ok{};
}

Status write_like(const std::string& path, const std::string& text, const struct stat& like) {
    std::string temp = path + ".ovpn-mgmt-push-XXXXXX";
    int fd = mkstemp(temp.data());
    if (fd < 0) return error("cannot create a file beside `" + path + "': " + std::strerror(errno));
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              fchmod(fd, like.st_mode & 07777) == 0 && fsync(fd) == 0;
    if (ok && geteuid() == 0) ok = fchown(fd, like.st_uid, like.st_gid) == 0;
    int err = errno;
    close(fd);
    if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
        err = ok ? errno : err;
        unlink(temp.c_str());
        return error("cannot write `" + path + "': " + std::strerror(err));
    }
    return sync_directory_of(path);
}

std::string backup_timestamp() {
    time_t now = time(nullptr);
    tm local{};
    localtime_r(&now, &local);
    char text[32];
    strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
    return text;
}

std::string free_backup_path(const std::string& base) {
    std::string path = base;
    for (int n = 2; access(path.c_str(), F_OK) == 0; ++n) path = base + "-" + std::to_string(n);
    return path;
}

}  // namespace omp

#include "records/state_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace omp {

Status make_state_directory(const std::string& directory) {
    if (mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
        return error("cannot create state directory `" + directory + "': " + std::strerror(errno));
    }
    return Ok{};
}

Status replace_file(const std::string& path, const std::string& text, Durability durability) {
    std::string temp = path + ".tmp";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return error("cannot write `" + temp + "': " + std::strerror(errno));
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              (durability == Durability::process_death || ::fdatasync(fd) == 0);
    int err = errno;
    ::close(fd);
    if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
        if (ok) err = errno;
        ::unlink(temp.c_str());
        return error("cannot write `" + path + "': " + std::strerror(err));
    }
    return Ok{};
}

}  // namespace omp

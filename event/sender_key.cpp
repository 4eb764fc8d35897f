#include "event/sender_key.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace omp::event {

namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

Result<std::string> random_key() {
    unsigned char bytes[kSenderKeyLength / 2];
    if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
        return error(std::string("getrandom: ") + errno_text(errno));
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key;
    for (unsigned char b : bytes) {
        key += kHex[b >> 4];
        key += kHex[b & 15];
    }
    return key;
}

bool is_key(std::string_view text) {
    return text.size() == kSenderKeyLength &&
           text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Writes a fresh key under a temporary name and links it into place: EEXIST means another
// process published one first, and that one is read instead.
Status publish_new_key(const std::string& path) {
    auto key = random_key();
    if (!key) return key.error();
    std::string temp = path + ".new." + std::to_string(getpid());
    int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return error("cannot create sender key `" + temp + "': " + errno_text(errno));
    std::string text = *key + "\n";
    bool written =
        write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
    int err = errno;
    close(fd);
    if (!written) {
        unlink(temp.c_str());
        return error("cannot write sender key `" + temp + "': " + errno_text(err));
    }
    int linked = link(temp.c_str(), path.c_str());
    err = errno;
    unlink(temp.c_str());
    if (linked != 0 && err != EEXIST) {
        return error("cannot create sender key `" + path + "': " + errno_text(err));
    }
    return Ok{};
}

Result<std::string> read_key(const std::string& path, int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return error("cannot stat sender key `" + path + "'");
    if (!S_ISREG(st.st_mode)) return error("sender key `" + path + "' is not a regular file");
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        return error("sender key `" + path + "' belongs to uid " + std::to_string(st.st_uid) +
                     ", not root");
    }
    if (st.st_mode & 077) return error("sender key `" + path + "' is readable by others");
    char buffer[kSenderKeyLength + 2];
    ssize_t n = read(fd, buffer, sizeof buffer);
    std::string_view text(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
    if (text.ends_with('\n')) text.remove_suffix(1);
    if (!is_key(text)) return error("sender key `" + path + "' does not hold a key");
    return std::string(text);
}

}  // namespace

Status make_parent_directory(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == 0 || slash == std::string::npos) return Ok{};
    std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return error("cannot create directory `" + dir + "': " + errno_text(errno));
    }
    return Ok{};
}

std::string sender_key_path(std::string_view socket_path) {
    return std::string(socket_path) + ".key";
}

Result<std::string> load_or_create_sender_key(const std::string& path) noexcept {
    try {
        for (int attempt = 0; attempt < 2; ++attempt) {
            int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0) {
                auto key = read_key(path, fd);
                close(fd);
                return key;
            }
            if (errno != ENOENT) {
                return error("cannot read sender key `" + path + "': " + errno_text(errno));
            }
            if (auto dir = make_parent_directory(path); !dir) return dir.error();
            if (auto made = publish_new_key(path); !made) return made.error();
        }
        return error("sender key `" + path + "' vanished as it was made");
    } catch (...) {
        return error("out of memory");
    }
}

bool same_key(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

}  // namespace omp::event

// Helpers shared by the unit tests: test data, and temporary files and directories that
// remove themselves (also when a test fails).
#pragma once

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/session.hpp"

inline std::string read_test_data(const std::string& relative) {
    std::ifstream in(std::string(OMP_TEST_DATA) + "/" + relative, std::ios::binary);
    if (!in) throw std::runtime_error("missing test data " + relative);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A fresh directory under /tmp, removed with everything in it.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char name[] = "/tmp/omp-test-XXXXXX";
        if (!mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
        path = name;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string str() const { return path.string(); }
};

// A file under /tmp holding `text`, with `mode`, removed at the end.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string& text, mode_t mode = 0600) {
        char name[] = "/tmp/omp-test-XXXXXX";
        int fd = mkstemp(name);
        if (fd < 0) throw std::runtime_error("mkstemp failed");
        close(fd);
        path = name;
        write(text);
        chmod(path.c_str(), mode);
    }
    ~TempFile() { unlink(path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    void write(const std::string& text) const { std::ofstream(path, std::ios::trunc) << text; }
};

// A stand-in server on a unix stream socket (DIR/NAME) for fault injection: it accepts one
// connection, hands it to `serve` in a thread of its own, and closes it when `serve` returns.
class OneConnectionServer {
  public:
    OneConnectionServer(const std::string& name, std::function<void(int)> serve) {
        path_ = dir_.str() + "/" + name;
        listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strcpy(address.sun_path, path_.c_str());
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_, 1) != 0) {
            throw std::runtime_error("cannot listen on " + path_);
        }
        thread_ = std::thread([this, serve] {
            int conn = ::accept(listener_, nullptr, nullptr);
            if (conn < 0) return;
            serve(conn);
            ::close(conn);
        });
    }
    ~OneConnectionServer() {
        ::shutdown(listener_, SHUT_RDWR);  // an accept() still waiting returns
        thread_.join();
        ::close(listener_);
    }
    OneConnectionServer(const OneConnectionServer&) = delete;
    OneConnectionServer& operator=(const OneConnectionServer&) = delete;
    const std::string& path() const { return path_; }

  private:
    TempDir dir_;
    std::string path_;
    int listener_ = -1;
    std::thread thread_;
};

// What one read() of `fd` gives (a command a stand-in waits for); empty at its end or on error.
inline std::string read_some(int fd) {
    char buffer[256];
    auto n = ::read(fd, buffer, sizeof buffer);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

inline void send_all(int fd, const std::string& text) {
    for (std::size_t sent = 0; sent < text.size();) {
        auto n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the client went away: what a stand-in may see
        sent += static_cast<std::size_t>(n);
    }
}

// A session as a poll lists it: the common name is also its username, the figures are zero.
inline omp::Session listed_session(std::string source, std::string common_name, std::string real_ip,
                                   std::uint16_t real_port) {
    omp::Session s;
    s.source = std::move(source);
    s.username = common_name;
    s.common_name = std::move(common_name);
    s.real_ip = std::move(real_ip);
    s.real_port = real_port;
    return s;
}

// Every field of a session on one line, so that a test states what it expects as one string
// and a failure shows both lines side by side.
inline std::string fields_of(const omp::Session& s) {
    std::ostringstream out;
    out << "source=" << s.source << " cn=" << s.common_name << " user=" << s.username
        << " real=" << s.real_ip << ":" << (s.real_port ? std::to_string(*s.real_port) : "-")
        << " vip=" << s.virtual_ip << " vip6=" << s.virtual_ipv6 << " rx=" << s.bytes_received
        << " tx=" << s.bytes_sent << " since=" << s.connected_at
        << " client_id=" << (s.client_id ? std::to_string(*s.client_id) : "-");
    return out.str();
}

// Helpers shared by the unit tests: test data, and temporary files and directories that
// remove themselves (also when a test fails).
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

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

#include "base/log.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace omp::log {

// One message, one line: a control character in anything logged (a client's name, a panel's
// answer, a config value) is written as \xNN, so no input can end a line early, forge a
// journal entry, or give one a priority of its own.
void append_escaped(std::string& line, std::string_view message) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : message) {
        auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte != 0x7f) {
            line += c;
            continue;
        }
        line += "\\x";
        line += kHex[byte >> 4];
        line += kHex[byte & 0xf];
    }
}

void write(Level level, std::string_view message) {
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    std::string line;
    if (journal) {
        // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict, PR 105651)
        // about `"<" + std::to_string(...)`.
        line = "<";
        line += std::to_string(static_cast<int>(level));
        line += '>';
    } else {
        line = "ovpn-mgmt-push: ";
        if (level == Level::error) line += "error: ";
        if (level == Level::warning) line += "warning: ";
    }
    append_escaped(line, message);
    line += '\n';
    // One write per line, so lines from a busy daemon never interleave.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace omp::log

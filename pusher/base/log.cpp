#include "base/log.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace omp::log {

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
    line.append(message);
    line += '\n';
    // One write per line, so lines from a busy daemon never interleave.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace omp::log

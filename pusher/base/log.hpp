// Log lines on stderr. Under systemd (JOURNAL_STREAM set) each line carries a <N> priority
// prefix that journald reads; in a terminal it carries the program's name instead.
#pragma once

#include <string>
#include <string_view>

namespace omp::log {

enum class Level { error = 3, warning = 4, info = 6, debug = 7 };

void write(Level level, std::string_view message);
// `message` with its control characters as \xNN (what write() does to every message).
void append_escaped(std::string& line, std::string_view message);
inline void error(std::string_view m) {
    write(Level::error, m);
}
inline void warning(std::string_view m) {
    write(Level::warning, m);
}
inline void info(std::string_view m) {
    write(Level::info, m);
}

}  // namespace omp::log

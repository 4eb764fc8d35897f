// Parses OpenVPN's `status 3` (tab) and `status 2` (comma) output into sessions. Pure: fed
// lines, it returns values. Columns are found by the names on the HEADER CLIENT_LIST line,
// because OpenVPN 2.3 to 2.7 add and move columns (Virtual IPv6 Address, Client ID, Peer ID,
// Data Channel Cipher).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/source_report.hpp"

namespace omp {

class StatusParser {
  public:
    explicit StatusParser(std::string source_name);

    // One line without its terminator (a trailing '\r' is tolerated).
    void feed_line(std::string_view line);
    ParsedStatus finish() &&;

  private:
    struct Columns {
        std::size_t count = 0;  // fields after the CLIENT_LIST keyword
        std::optional<std::size_t> common_name, real_address, virtual_address, virtual_ipv6,
            bytes_received, bytes_sent, connected_since, username, client_id;
    };

    void read_header(const std::vector<std::string_view>& fields);
    void read_client(std::string_view line, const std::vector<std::string_view>& fields);
    void skip_malformed(std::string_view line);

    std::string source_;
    std::optional<Columns> columns_;
    std::size_t rows_before_header_ = 0;
    std::vector<std::string_view> fields_;  // reused for every line
    ParsedStatus result_;
};

// Convenience for whole texts (tests, fuzzing, benchmarks).
ParsedStatus parse_status(std::string_view text, std::string source_name = "");

}  // namespace omp

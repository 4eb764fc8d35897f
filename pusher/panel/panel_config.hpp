// Where and how the panel is reached, and how one POST ended. Free of libcurl's headers:
// the settings and the daemon see these, only the panel folder sees curl.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace omp {

// `--panel-gzip`: plain JSON (today's panels), gzip unless the panel answers 415, always gzip.
enum class PanelGzip { off, automatic, on };

struct PanelConfig {
    std::string url;
    std::optional<std::string> token;    // sent as Authorization: Bearer, never logged
    std::optional<std::string> ca_file;  // for panels behind a private CA
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds total_timeout{5000};
    PanelGzip gzip = PanelGzip::off;
};

struct PostResult {
    bool ok = false;       // a 2xx answer
    long http_status = 0;  // 0 when no answer
    std::string error;     // names the status or the transport failure
    // What kind of failure, without details that vary between attempts (curl's messages
    // carry timings): one kind, one episode, one log line.
    std::string kind;
};

}  // namespace omp

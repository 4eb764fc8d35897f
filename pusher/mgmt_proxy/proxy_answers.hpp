// What the read-only management proxy answers to one command line: OpenVPN's own answers
// from the daemon's last complete poll (MgmtTranscript), in the format the command asks for.
// Nothing here writes to OpenVPN, and every command that would change it is refused.
// Pure: no descriptors, so unit tests hold it to OpenVPN's formats.
#pragma once

#include <string>
#include <string_view>

#include "core/mgmt_transcript.hpp"

namespace omp {

struct ProxyAnswer {
    std::string text;    // what to send, every line ending in \n
    bool close = false;  // quit, exit
};

// `line` without its newline (a trailing \r is dropped). `transcript` is null when the
// instance did not answer the daemon's last poll; `instance` names it in errors.
ProxyAnswer answer_command(std::string_view line, const MgmtTranscript* transcript,
                           std::string_view instance);

// OpenVPN's `status` (version 1) and `status 2` answers, made from its `status 3` lines.
std::string status_version_1(std::string_view status3);
std::string status_version_2(std::string_view status3);

}  // namespace omp

// OpenVPN's own answers from one complete poll of its management interface, kept for the
// read-only management proxy (pusher/mgmt_proxy), which replays them, in OpenVPN's formats, to
// any number of tools while OpenVPN itself serves only the daemon.
#pragma once

#include <string>

namespace omp {

struct MgmtTranscript {
    std::string greeting;    // >INFO:OpenVPN Management Interface Version 5 -- type 'help' ...
    std::string version;     // the lines `version` answered, each with its \n, without END
    std::string state;       // the lines `state` answered, each with its \n, without END
    std::string load_stats;  // SUCCESS: nclients=N,bytesin=N,bytesout=N
    std::string status;      // the lines `status 3` answered, each with its \n, without END
};

}  // namespace omp

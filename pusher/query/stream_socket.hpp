// The two steps every non-blocking stream client here takes the same way: learning how a
// connect in progress ended, and writing what is pending without blocking. Used by the
// management client and the WireGuard UAPI query.
#pragma once

#include <string>

namespace omp {

// After poll() reports a non-blocking connect done: 0 when it succeeded, else its errno.
int connect_error(int fd);

// Writes as much of `pending` as the socket takes now and drops what was written. Returns 0
// when all is written or the socket is full (poll for POLLOUT while `pending` is not empty),
// else the errno that stopped it. Never raises SIGPIPE.
int send_pending(int fd, std::string& pending);

}  // namespace omp

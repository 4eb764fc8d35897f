// The file of a listening unix socket: one left by a process that died is removed before a
// new bind; one that a live process still serves is never taken over. Shared by the event
// socket and the management proxies.
#pragma once

#include <string>

#include "common/result.hpp"

namespace omp {

// `type` is the socket's (SOCK_DGRAM, SOCK_STREAM): a probe of the other type cannot tell.
// `what` names the socket in errors ("event socket").
Status clear_stale_socket(const std::string& path, int type, const std::string& what);

}  // namespace omp

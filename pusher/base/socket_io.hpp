// Moving bytes on a non-blocking descriptor within one loop turn: what every query (a
// management socket, a WireGuard UAPI socket, the pipe of a `wg` child) and every management
// proxy client share. Nothing here blocks, and nothing reads without a bound.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace omp {

enum class ReadOutcome { data, closed, drained };

// Bytes one read_a_turn() takes at most unless told otherwise: a source that never stops
// talking must not keep the loop from the rest, nor from its deadlines.
inline constexpr std::size_t kReadTurnBudget = 16 * 65536;

// Reads `fd` until it would block, is closed, or `budget` bytes were read. `on_read` sees each
// read's outcome and data and returns whether to read on. Returns 0, or the errno of a failed
// read. What was read is wiped from the stack (a WireGuard answer holds private keys).
int read_a_turn(int fd, const std::function<bool(ReadOutcome, std::string_view)>& on_read,
                std::size_t budget = kReadTurnBudget);

// Writes as much of `pending` as the socket takes now and drops what was written. Returns 0
// when all is written or the socket is full (poll for POLLOUT while `pending` is not empty),
// else the errno that stopped it. Never raises SIGPIPE.
int send_pending(int fd, std::string& pending);

// After poll() reports a non-blocking connect done: 0 when it succeeded, else its errno.
int connect_error(int fd);

}  // namespace omp

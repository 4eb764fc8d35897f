#include "query/stream_query.hpp"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace omp {

StreamQuery::StreamQuery(std::string name, std::string kind, std::string error_prefix,
                         std::chrono::milliseconds timeout, SteadyClock::time_point now)
    : started_(now), timeout_(timeout), error_prefix_(std::move(error_prefix)) {
    report_.name = std::move(name);
    report_.kind = std::move(kind);
}

void StreamQuery::advance(short revents, SteadyClock::time_point now) {
    if (finished_) return;
    if (now >= deadline()) return fail(timeout_message());
    on_ready(revents);
}

void StreamQuery::succeed(ParsedStatus status) {
    if (finished_) return;
    report_.ok = true;
    report_.status = std::move(status);
    end();
}

void StreamQuery::fail(const std::string& what) {
    fail(what, ParsedStatus{});
}

void StreamQuery::fail(const std::string& what, ParsedStatus status) {
    if (finished_) return;
    report_.ok = false;
    report_.status = std::move(status);
    report_.error = error_prefix_ + what;
    end();
}

void StreamQuery::end() {
    report_.took = elapsed_since(started_);
    finished_ = true;
    release();
}

}  // namespace omp

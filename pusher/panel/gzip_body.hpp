// A POST body compressed for `Content-Encoding: gzip` (RFC 9110 8.4.1.3), with zlib.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace omp {

// zlib's default level. On a payload of 1,000 users (bench/bench_gzip.cpp): 264 KB to 29 KB
// in 4.1 ms; level 1 leaves 37 KB in 1.9 ms. The panel's bytes are what gzip is for, and 4 ms
// every 2 s is 0.2 % of a core.
inline constexpr int kGzipLevel = 6;

// The gzip member of `body`; an error names zlib's complaint (out of memory, in practice).
Result<std::string> gzip_body(std::string_view body, int level = kGzipLevel);

}  // namespace omp

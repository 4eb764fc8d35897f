// A POST body compressed for `Content-Encoding: gzip` (RFC 9110 8.4.1.3), with zlib.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace omp {

// zlib's level 1 (fastest): on a payload's JSON it already gives most of level 6's ratio for
// about a third of its CPU (bench/bench_gzip.cpp measures both).
inline constexpr int kGzipLevel = 1;

// The gzip member of `body`; an error names zlib's complaint (out of memory, in practice).
Result<std::string> gzip_body(std::string_view body, int level = kGzipLevel);

}  // namespace omp

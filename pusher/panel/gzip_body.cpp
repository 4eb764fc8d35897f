#include "panel/gzip_body.hpp"

#include <zlib.h>

namespace omp {

namespace {

// windowBits 15 + 16: a gzip header and trailer around the deflate stream, not zlib's own.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;  // zlib's default

}  // namespace

Result<std::string> gzip_body(std::string_view body, int level) {
    z_stream stream{};
    if (deflateInit2(&stream, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return error("zlib cannot start compressing: " +
                     std::string(stream.msg ? stream.msg : "out of memory"));
    }
    std::string out(deflateBound(&stream, static_cast<uLong>(body.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    // deflateBound() is enough room for one Z_FINISH call to end the stream.
    int rc = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (rc != Z_STREAM_END)
        return error("zlib failed to compress the body (code " + std::to_string(rc) + ")");
    return out;
}

}  // namespace omp

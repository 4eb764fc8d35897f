// Gzip's own cost on the server: one payload of N users (rendered as the daemon renders it
// from two `status 3` texts) compressed for `--panel-gzip`, at zlib's level 6 (what the daemon
// uses, zlib's default) and 1 (its fastest). Counters give the body
// before and after.
#include <benchmark/benchmark.h>

#include "core/merger.hpp"
#include "core/payload.hpp"
#include "panel/gzip_body.hpp"
#include "status_as_received.hpp"
#include "status_generator.hpp"

namespace {

// The body of N users: half on each instance.
std::string payload_of(int users) {
    std::vector<omp::SourceReport> reports;
    reports.push_back(parse_as_received("udp", generate_status(users / 2, 0)));
    reports.push_back(parse_as_received("tcp", generate_status(users - users / 2, users / 2)));
    omp::PayloadContext context;
    context.trigger = "interval";
    return omp::render_payload(omp::merge_reports(std::move(reports)), context);
}

void BM_GzipPayload(benchmark::State& state) {
    std::string body = payload_of(static_cast<int>(state.range(0)));
    int level = static_cast<int>(state.range(1));
    std::size_t packed_bytes = 0;
    for (auto _ : state) {
        auto packed = omp::gzip_body(body, level);
        if (!packed) {
            state.SkipWithError(packed.error().message.c_str());
            return;
        }
        packed_bytes = packed->size();
        benchmark::DoNotOptimize(packed->data());
    }
    state.counters["body_bytes"] = static_cast<double>(body.size());
    state.counters["gzip_bytes"] = static_cast<double>(packed_bytes);
    state.counters["ratio"] = static_cast<double>(body.size()) / static_cast<double>(packed_bytes);
}

}  // namespace

BENCHMARK(BM_GzipPayload)
    ->ArgsProduct({{1000, 10000}, {1, omp::kGzipLevel}})
    ->ArgNames({"users", "level"})
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

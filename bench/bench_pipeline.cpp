// One cycle's CPU work for two endpoints of N sessions each: parse both `status 3` texts,
// merge (a tenth of the usernames are on both), render the JSON body.
// Target (issue 2): 10,000 + 10,000 sessions under 20 ms on the 2-core CI machine.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "core/merger.hpp"
#include "core/payload.hpp"
#include "daemon/daemon.hpp"
#include "status_as_received.hpp"
#include "status_generator.hpp"

namespace {

void BM_ParseMergeSerialise(benchmark::State& state) {
    int n = static_cast<int>(state.range(0));
    std::string udp = generate_status(n, 0);
    std::string tcp = generate_status(n, n - n / 10);
    std::size_t users = 0, bytes = 0;
    for (auto _ : state) {
        std::vector<omp::SourceReport> reports;
        reports.push_back(parse_as_received("udp", udp));
        reports.push_back(parse_as_received("tcp", tcp));
        omp::Snapshot snapshot = omp::merge_reports(std::move(reports));
        omp::PayloadContext context;
        context.trigger = "interval";
        std::string body = omp::render_payload(snapshot, context);
        users = snapshot.users.size();
        bytes = body.size();
        benchmark::DoNotOptimize(body.data());
    }
    state.counters["users"] = static_cast<double>(users);
    state.counters["body_bytes"] = static_cast<double>(bytes);
    state.counters["sessions_per_s"] =
        benchmark::Counter(2.0 * n, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ParseOnly(benchmark::State& state) {
    std::string text = generate_status(static_cast<int>(state.range(0)), 0);
    for (auto _ : state) benchmark::DoNotOptimize(omp::parse_status(text, "udp"));
}

void BM_SerialiseOnly(benchmark::State& state) {
    int n = static_cast<int>(state.range(0));
    std::vector<omp::SourceReport> reports(1);
    reports[0].name = "udp";
    reports[0].ok = true;
    reports[0].status = omp::parse_status(generate_status(n, 0), "udp");
    omp::Snapshot snapshot = omp::merge_reports(std::move(reports));
    for (auto _ : state) benchmark::DoNotOptimize(omp::render_payload(snapshot, {}));
}

}  // namespace

BENCHMARK(BM_ParseMergeSerialise)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseOnly)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SerialiseOnly)->Arg(20000)->Unit(benchmark::kMillisecond);
int main(int argc, char** argv) {
    // As the daemon runs; OMP_BENCH_COLD_ALLOCATOR=1 measures glibc's defaults (a one-shot run).
    if (!std::getenv("OMP_BENCH_COLD_ALLOCATOR")) omp::keep_cycle_memory_mapped();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
}

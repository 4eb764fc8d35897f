// The cost of one scrape of GET /metrics: rendering the last cycle's state in Prometheus's
// text format, with N sessions over two sources, with and without the per-session series
// (--metrics-no-sessions). Bytes are the body a scraper receives.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "core/merger.hpp"
#include "metrics/metrics_text.hpp"

namespace {

omp::Snapshot sessions(int n) {
    std::vector<omp::SourceReport> reports(2);
    reports[0].name = "udp";
    reports[1].name = "tcp";
    for (int i = 0; i < n; ++i) {
        omp::Session s;
        s.source = i % 2 ? "tcp" : "udp";
        s.common_name = "client-" + std::to_string(i) + ".vpn.example.org";
        s.username = "user" + std::to_string(i) + "@example.org";
        s.virtual_ip = "10." + std::to_string(8 + i % 2) + "." + std::to_string(i / 250 % 250) +
                       "." + std::to_string(i % 250 + 2);
        s.bytes_received = 123456789ull + i;
        s.bytes_sent = 987654321ull * 3 + i;
        s.connected_at = 1800000000 + i;
        reports[i % 2].status.sessions.push_back(std::move(s));
    }
    for (auto& r : reports) r.ok = true;
    return omp::merge_reports(std::move(reports));
}

void BM_Scrape(benchmark::State& state) {
    auto snapshot = sessions(static_cast<int>(state.range(0)));
    omp::CycleHistogram cycles;
    cycles.observe(0.004);
    omp::MetricsState metrics;
    metrics.snapshot = &snapshot;
    metrics.per_session = state.range(1) != 0;
    metrics.cycles = &cycles;
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto text = omp::render_metrics(metrics);
        bytes = text.size();
        benchmark::DoNotOptimize(text);
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}

}  // namespace

// Arguments: sessions, per-session series (1) or not (0).
BENCHMARK(BM_Scrape)
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({10000, 0})
    ->Unit(benchmark::kMillisecond);
// The daemon keeps big buffers in its heap instead of fresh mmaps (keep_cycle_memory_mapped in
// daemon.cpp); without the same setting here, every scrape of a few hundred KB page-faults anew.
int main(int argc, char** argv) {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}

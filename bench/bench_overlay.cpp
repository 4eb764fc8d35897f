// The event overlay's cost per cycle in a storm: N plugin events waiting (half connects that
// management does not list yet, half disconnects of sessions it still lists) applied to a
// poll of M sessions. It runs once a cycle inside the daemon's only thread.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/event_overlay.hpp"

namespace {

omp::Session listed(int i) {
    omp::Session s;
    s.source = "udp";
    s.common_name = s.username = "user-" + std::to_string(i);
    s.real_ip = "198.51." + std::to_string(i / 250 % 250) + "." + std::to_string(i % 250 + 1);
    s.real_port = static_cast<std::uint16_t>(1024 + i % 60000);
    return s;
}

omp::event::Event event_for(const omp::Session& s, omp::event::Kind kind) {
    omp::event::Event e;
    e.kind = kind;
    e.source = s.source;
    e.common_name = s.common_name;
    e.real_ip = s.real_ip;
    e.real_port = *s.real_port;
    e.ts_us = 1796000000000000;
    return e;
}

void BM_OverlayApply(benchmark::State& state) {
    int entries = static_cast<int>(state.range(0));
    int sessions = static_cast<int>(state.range(1));
    omp::SourceReport report;
    report.name = "udp";
    report.ok = true;
    for (int i = 0; i < sessions; ++i) report.status.sessions.push_back(listed(i));
    auto now = omp::EventOverlay::Clock::now();
    for (auto _ : state) {
        state.PauseTiming();
        omp::EventOverlay overlay;
        for (int i = 0; i < entries / 2; ++i) {  // disconnects of listed sessions
            overlay.record(event_for(listed(i), omp::event::Kind::disconnect), now);
        }
        for (int i = 0; i < entries - entries / 2; ++i) {  // connects not listed yet
            overlay.record(event_for(listed(sessions + i), omp::event::Kind::connect), now);
        }
        std::vector<omp::SourceReport> reports{report};
        state.ResumeTiming();
        overlay.apply(reports, now);
        benchmark::DoNotOptimize(reports.data());
    }
}

}  // namespace

BENCHMARK(BM_OverlayApply)
    ->Args({100, 1000})
    ->Args({2000, 20000})
    ->Args({20000, 20000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_MAIN();

// The record store's disk work in a storm (issue #15): with 10,000 records pending (a panel
// outage), 1,000 sessions end and 1,000 late reasons arrive. The daemon does this inside its
// only thread, so the whole batch must cost little more than its own appends; and it opens a
// store of that size at every start. The journal lives in a directory under /var/tmp (a real
// disk, not tmpfs), removed afterwards.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "records/record_store.hpp"

namespace {

omp::SessionRecord record(int i) {
    omp::SessionRecord r;
    r.id = "udp-1796000000-198.51.100." + std::to_string(i % 250) + "-" + std::to_string(i);
    r.source = "udp";
    r.common_name = r.username = "user-" + std::to_string(i);
    r.real_ip = "198.51.100." + std::to_string(i % 250);
    r.real_port = static_cast<std::uint16_t>(1024 + i % 60000);
    r.virtual_ip = "10.8." + std::to_string(i / 250 % 250) + "." + std::to_string(i % 250);
    r.connected_at = 1796000000;
    r.disconnected_at = 1796003600;
    r.duration = 3600;
    r.bytes_received = 123456789;
    r.bytes_sent = 987654321;
    return r;
}

struct ScratchDir {
    std::string path;
    ScratchDir() {
        char name[] = "/var/tmp/omp-bench-records-XXXXXX";
        path = mkdtemp(name);
    }
    ~ScratchDir() { std::filesystem::remove_all(path); }
};

omp::RecordStore store_with(const std::string& dir, int pending) {
    auto store = omp::RecordStore::open(dir, 100000);
    for (int i = 0; i < pending; ++i) (void)store->add(record(i));
    store->sync();
    return std::move(*store);
}

// range(0) records pending; then range(1) adds and as many reasons for them, then one sync
// (the daemon's once-a-cycle flush).
void BM_StormOnPendingRecords(benchmark::State& state) {
    int pending = static_cast<int>(state.range(0));
    int storm = static_cast<int>(state.range(1));
    for (auto _ : state) {
        state.PauseTiming();
        ScratchDir dir;
        auto store = store_with(dir.path, pending);
        state.ResumeTiming();
        for (int i = 0; i < storm; ++i) (void)store.add(record(pending + i));
        for (int i = 0; i < storm; ++i) (void)store.set_reason(record(pending + i).id, "exit");
        store.sync();
        benchmark::DoNotOptimize(store.size());
    }
}

// A daemon start with range(0) records pending: read, checked, compacted.
void BM_OpenWithPendingRecords(benchmark::State& state) {
    ScratchDir dir;
    (void)store_with(dir.path, static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto store = omp::RecordStore::open(dir.path, 100000);
        benchmark::DoNotOptimize(store->size());
    }
}

}  // namespace

BENCHMARK(BM_StormOnPendingRecords)
    ->Args({10000, 1000})
    ->Args({1000, 100})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK(BM_OpenWithPendingRecords)->Arg(10000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

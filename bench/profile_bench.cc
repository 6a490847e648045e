// The CPU profiler's cost on a CPU-bound workload, as a ratio against the
// same workload unprofiled in the same binary and run: off, our profiler at
// 100 Hz and 1000 Hz, and gperftools' profiler (the baseline) at the rate of
// CPUPROFILE_FREQUENCY (gperftools fixes its rate once per process, so its
// 1000 Hz figure comes from a second run with CPUPROFILE_FREQUENCY=1000).
//
// The heap profiler's cost on an allocation-heavy workload: BM_Alloc_Off
// (hooks linked, not profiling) against BM_Alloc_HeapProfile (sampling
// every 512 KiB on average).
//
// The workload and allocation times are process CPU time per iteration
// (MeasureProcessCPUTime), which includes the profiler's background thread
// and its signal handler. Also measured: stopping a profile (draining +
// symbolizing everything) and the profiler's own overhead figure.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "analysis/synthetic_profile_testing.h"
#include "profile/symbolizer.h"
#include "profile/workload_testing.h"
#include "tai/analysis/regression.h"
#include "tai/profile/cpu_profiler.h"
#include "tai/profile/heap_profiler.h"
#include "tai/profile/pprof.h"
#include "tai/profile/thread_profile.h"

#ifdef TAI_HAVE_GPERFTOOLS
#include <gperftools/profiler.h>
#endif

namespace {

// ~2 ms of work through a 16-deep call chain, split 50/30/20 over three leaves.
__attribute__((noinline)) uint64_t Descend(int depth, uint64_t seed) {
  if (depth == 0) {
    return tai_burn_alpha(50'000 + (seed & 1)) + tai_burn_beta(30'000) + tai_burn_gamma(20'000);
  }
  uint64_t r = Descend(depth - 1, seed + 1);
  asm volatile("" ::: "memory");
  return r;
}

uint64_t Workload() {
  uint64_t sum = 0;
  for (int i = 0; i < 4; ++i) sum += Descend(16, static_cast<uint64_t>(i));
  return sum;
}

void BM_Workload_Off(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Workload());
}

void BM_Workload_Tai(benchmark::State& state) {
  tai::CpuProfiler profiler;
  if (!profiler.Start({.hz = static_cast<int>(state.range(0))}).ok()) {
    state.SkipWithError("profiler did not start");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(Workload());
  auto stats = profiler.stats();
  if (!profiler.Stop().ok()) state.SkipWithError("profiler did not stop");
  state.counters["samples"] = static_cast<double>(stats.samples);
  state.counters["self_overhead_pct"] = 100.0 * profiler.stats().Overhead();
}

#ifdef TAI_HAVE_GPERFTOOLS
void BM_Workload_Gperftools(benchmark::State& state) {
  std::string path = "/tmp/tai_profile_bench_gperftools." + std::to_string(getpid()) + ".prof";
  if (!ProfilerStart(path.c_str())) {
    state.SkipWithError("gperftools ProfilerStart failed");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(Workload());
  ProfilerStop();
  std::remove(path.c_str());
  const char* hz = std::getenv("CPUPROFILE_FREQUENCY");
  state.SetLabel(std::string("gperftools at ") + (hz ? hz : "100") + " Hz");
}
#endif

// Stop() of a profile of the workload: the final drain, symbolization of
// every address not yet symbolized, and building the Profile.
void BM_StopAndSymbolize(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    tai::CpuProfiler profiler;
    (void)profiler.Start({.hz = 1000, .scan_interval = std::chrono::milliseconds(60'000)});
    for (int i = 0; i < 50; ++i) benchmark::DoNotOptimize(Workload());
    state.ResumeTiming();
    auto p = profiler.Stop();
    benchmark::DoNotOptimize(p);
  }
}

// Symbolizing from cold: a fresh symbolizer (maps read, the ELF files of
// the binary and libc parsed) resolving 2000 distinct addresses spread over
// this binary's code and libc's, about what a 60 s profile of a service
// holds.
void BM_SymbolizeCold(benchmark::State& state) {
  auto here = reinterpret_cast<uint64_t>(&Descend);
  auto libc = reinterpret_cast<uint64_t>(&::getpid);
  for (auto _ : state) {
    tai::internal::Symbolizer symbolizer;
    size_t named = 0;
    for (uint64_t i = 0; i < 1000; ++i) {
      named += !symbolizer.Resolve(here - 32768 + i * 64).name.empty();
      named += !symbolizer.Resolve(libc - 32768 + i * 64).name.empty();
    }
    benchmark::DoNotOptimize(named);
    state.counters["named"] = static_cast<double>(named);
  }
}

// An allocation-heavy workload: 64 blocks of 16 to 4 KiB made and freed.
__attribute__((noinline)) uint64_t AllocWorkload(uint64_t seed) {
  void* blocks[64];
  uint64_t sum = 0;
  for (int i = 0; i < 64; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    size_t n = 16 + (seed >> 52);
    blocks[i] = malloc(n);
    static_cast<char*>(blocks[i])[0] = static_cast<char>(i);
    sum += n;
  }
  for (void* b : blocks) free(b);
  return sum;
}

void BM_Alloc_Off(benchmark::State& state) {
  uint64_t seed = 1;
  for (auto _ : state) benchmark::DoNotOptimize(AllocWorkload(seed++));
}

void BM_Alloc_HeapProfile(benchmark::State& state) {
  if (!tai::HeapProfiler::Start().ok()) {
    state.SkipWithError("heap profiler did not start (hooks not linked?)");
    return;
  }
  uint64_t seed = 1;
  for (auto _ : state) benchmark::DoNotOptimize(AllocWorkload(seed++));
  auto p = tai::HeapProfiler::Stop();
  state.counters["stacks"] = p.ok() ? static_cast<double>(p->samples.size()) : -1;
}

// Snapshot() of a heap profile holding the stacks of the workload above:
// symbolizing (a fresh symbolizer each time) and building the Profile.
void BM_HeapProfileSnapshot(benchmark::State& state) {
  if (!tai::HeapProfiler::Start({.sample_interval_bytes = 4096}).ok()) {
    state.SkipWithError("heap profiler did not start (hooks not linked?)");
    return;
  }
  for (uint64_t seed = 1; seed <= 1000; ++seed) benchmark::DoNotOptimize(AllocWorkload(seed));
  size_t stacks = 0;
  for (auto _ : state) {
    auto p = tai::HeapProfiler::Snapshot();
    stacks = p.ok() ? p->samples.size() : 0;
    benchmark::DoNotOptimize(p);
  }
  (void)tai::HeapProfiler::Stop();
  state.counters["stacks"] = static_cast<double>(stacks);
}

// A thread snapshot of a busy service as pprof: 200 threads, 32 frames each
// drawn from range(0) function names (400: threads share most frames;
// 8000: most frames are seen once).
void BM_ThreadProfileToPprof(benchmark::State& state) {
  tai::ThreadProfile snapshot;
  std::mt19937_64 rng(3);
  const auto names = static_cast<uint64_t>(state.range(0));
  for (int t = 0; t < 200; ++t) {
    tai::ThreadInfo info{.tid = 1000 + t, .name = "worker-" + std::to_string(t % 16)};
    info.state_name = t % 3 == 0 ? "running" : "sleeping";
    info.has_stack = true;
    for (int f = 0; f < 32; ++f) {
      uint64_t k = rng() % names;
      info.stack.push_back("svc::module" + std::to_string(k % 20) + "::Function" +
                           std::to_string(k));
    }
    snapshot.threads.push_back(std::move(info));
  }
  for (auto _ : state) benchmark::DoNotOptimize(tai::ThreadProfileToPprof(snapshot));
}

}  // namespace

// A realistic service profile to compare: 60 s at 100 Hz over 4 threads
// (24000 samples), 1500 functions, 6000 distinct stacks 8 to 32 deep drawn
// from a call tree, so cumulative cost walks long stacks; in the current
// profile one function holding 5% of the CPU is 50% slower.
tai::Profile ServiceProfile(uint64_t seed, double slow_factor) {
  std::mt19937_64 rng(seed);
  tai::Profile p = tai::analysis_testing::ExactProfile({}, 60, 100);
  p.samples.clear();
  for (uint64_t id = 3; id <= 1500; ++id) {
    std::string name = "svc::module" + std::to_string(id % 40) + "::Function" + std::to_string(id);
    p.functions.push_back({id, name, name, "", 0});
    p.locations.push_back({id, 0, 0x1000 * id, {{id, 0}}});
  }
  std::mt19937_64 shape(7);  // the same stacks in every profile
  for (int s = 0; s < 6000; ++s) {
    size_t depth = 8 + shape() % 25;
    std::vector<uint64_t> stack;
    uint64_t node = 3 + shape() % 20;
    for (size_t d = 0; d < depth; ++d) {
      stack.insert(stack.begin(), node);
      node = 3 + (node * 31 + shape() % 7) % 1498;
    }
    stack.push_back(2);
    stack.push_back(1);
    bool hot = s % 20 == 0;  // 5% of the CPU ends in one function, the one made slower
    if (hot) stack.front() = 1000;
    double mean = 24000.0 / 6000 * (hot ? slow_factor : 1.0);
    int64_t n = std::poisson_distribution<int64_t>(mean)(rng);
    if (n > 0) p.samples.push_back({stack, {n, n * p.period}, {}});
  }
  return p;
}

void BM_CompareProfiles(benchmark::State& state) {
  tai::Profile base = ServiceProfile(1, 1.0), cur = ServiceProfile(2, 1.5);
  tai::ComparisonOptions o;
  o.cost = state.range(0) == 0 ? tai::CostKind::kSelf : tai::CostKind::kCumulative;
  size_t regressions = 0;
  for (auto _ : state) {
    tai::Result<tai::ProfileComparison> c = tai::CompareProfiles(base, cur, o);
    regressions = c.ok() ? c->regressions.size() : 0;
    benchmark::DoNotOptimize(regressions);
  }
  state.counters["samples"] = static_cast<double>(base.samples.size());
  state.counters["regressions"] = static_cast<double>(regressions);
}

// Reading back a service profile written as .pb.gz (inflating included).
void BM_DecodePprof(benchmark::State& state) {
  std::string bytes = tai::EncodePprof(ServiceProfile(1, 1.0));
  for (auto _ : state) {
    tai::Result<tai::Profile> p = tai::DecodePprof(bytes);
    if (!p.ok()) state.SkipWithError("decoding failed");
    benchmark::DoNotOptimize(p);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

BENCHMARK(BM_CompareProfiles)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
// Process CPU time (every thread), so the profiler's background thread is
// in the ratios; Google Benchmark's default counts the calling thread only.
BENCHMARK(BM_Alloc_Off)->MinTime(1.0)->MeasureProcessCPUTime();
BENCHMARK(BM_Alloc_HeapProfile)->MinTime(1.0)->MeasureProcessCPUTime();
BENCHMARK(BM_Workload_Off)->MinTime(2.0)->MeasureProcessCPUTime();
BENCHMARK(BM_Workload_Tai)->Arg(100)->Arg(1000)->MinTime(2.0)->MeasureProcessCPUTime();
#ifdef TAI_HAVE_GPERFTOOLS
BENCHMARK(BM_Workload_Gperftools)->MinTime(2.0)->MeasureProcessCPUTime();
#endif
BENCHMARK(BM_SymbolizeCold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StopAndSymbolize)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_HeapProfileSnapshot)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ThreadProfileToPprof)->Arg(400)->Arg(8000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecodePprof)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

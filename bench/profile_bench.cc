// The CPU profiler's cost on a CPU-bound workload, as a ratio against the
// same workload unprofiled in the same binary and run: off, our profiler at
// 100 Hz and 1000 Hz, and gperftools' profiler (the baseline) at the rate of
// CPUPROFILE_FREQUENCY (gperftools fixes its rate once per process, so its
// 1000 Hz figure comes from a second run with CPUPROFILE_FREQUENCY=1000).
//
// Times are process CPU time per iteration, which includes the profiler's
// background thread and its signal handler. Also measured: stopping a
// profile (draining + symbolizing everything) and the profiler's own
// overhead figure.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "profile/test_workload.h"
#include "tai/profiler.h"

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

}  // namespace

BENCHMARK(BM_Workload_Off)->MinTime(2.0);
BENCHMARK(BM_Workload_Tai)->Arg(100)->Arg(1000)->MinTime(2.0);
#ifdef TAI_HAVE_GPERFTOOLS
BENCHMARK(BM_Workload_Gperftools)->MinTime(2.0);
#endif
BENCHMARK(BM_StopAndSymbolize)->Unit(benchmark::kMillisecond)->Iterations(5);

BENCHMARK_MAIN();

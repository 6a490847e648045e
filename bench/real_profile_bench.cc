// The symbolization cost of a real 60 s CPU profile of a real program,
// measured rather than extrapolated from BM_SymbolizeCold's 2,000 synthetic
// addresses (bench/profile_bench.cc).
//
// The program is the demo's payment service as `taiobs demo` runs it
// (tools/taiobs/demo_setup.h: embedded store, alert engine with its SLOs and
// rule, dashboard, 2 s collection; the service and its libcurl load
// generator in this process), for its first minute: range(0) requests a
// second (20 is the demo's default; the incident starts later, at 3 min).
// The demo's own continuous profiling is left off: it would hold the
// process's one CPU profile; a CpuProfiler at its default options (100 Hz
// of each thread's CPU time) takes its place. The 60 s of profiling and the
// profiler's Stop() are setup; what is timed (by hand: UseManualTime) is a
// fresh Symbolizer resolving every distinct address of that profile, as
// Stop() would from cold: /proc/self/maps read, the ELF file of each module
// reached parsed, names demangled, DWARF line tables read where present.
//
// Counters: addresses (distinct addresses of the profile), named (of which
// the symbolizer named), functions (distinct function names), modules
// (distinct objects holding them), samples and stacks (distinct stacks) of
// the profile, cpu_ms (the timed step's thread CPU, less moved by other
// load than the wall time), profiler_symbolize_ms (what the profiler
// itself spent draining and symbolizing during the minute and at Stop(),
// incrementally, with its warm process-wide symbolizer). The label names
// the modules.
//
// One iteration of a minute per rate: this binary is not run by the tests.
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "profile/symbolizer.h"
#include "tai/observability.h"
#include "tai/profile/cpu_profiler.h"
#include "tools/taiobs/demo_service.h"
#include "tools/taiobs/demo_setup.h"
#include "tools/taiobs/demo_traffic.h"

namespace {

constexpr auto kProfileLength = std::chrono::seconds(60);

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// 60 s of the demo under the CPU profiler; its profile, or a failed status.
tai::Result<tai::Profile> ProfileDemo(double rate, tai::ProfilerStats* stats) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "tai-real-profile";
  std::filesystem::remove_all(dir);
  auto obs = tai::Observability::Start(taiobs::DemoConfig("127.0.0.1:0", dir / "demo.db", ""));
  TAI_RETURN_IF_ERROR(obs.status());
  TAI_RETURN_IF_ERROR(taiobs::AddDemoAlerting(*(*obs)->alerts()));
  auto service = taiobs::DemoService::Start(**obs, "127.0.0.1:0");
  TAI_RETURN_IF_ERROR(service.status());
  tai::CpuProfiler profiler;
  TAI_RETURN_IF_ERROR(profiler.Start());
  {
    taiobs::LoadGenerator load(**obs, (*service)->url(), rate);
    std::this_thread::sleep_for(kProfileLength);
    load.Stop();
  }
  tai::Result<tai::Profile> profile = profiler.Stop();
  *stats = profiler.stats();
  service->reset();
  (*obs)->Shutdown();
  std::filesystem::remove_all(dir);
  return profile;
}

void BM_SymbolizeRealProfile(benchmark::State& state) {
  for (auto _ : state) {
    tai::ProfilerStats stats;
    tai::Result<tai::Profile> profile = ProfileDemo(static_cast<double>(state.range(0)), &stats);
    if (!profile.ok()) return state.SkipWithError(profile.status().ToString().c_str());
    std::set<uint64_t> distinct;
    for (const tai::ProfileLocation& location : profile->locations) {
      if (location.address != 0) distinct.insert(location.address);
    }
    const std::vector<uint64_t> addresses(distinct.begin(), distinct.end());
    std::vector<const tai::internal::Symbolized*> results;
    results.reserve(addresses.size());

    // The measured step. Results are references into the symbolizer's
    // cache, counted after the clock stops.
    auto symbolizer = std::make_unique<tai::internal::Symbolizer>();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuSeconds();
    for (uint64_t address : addresses) results.push_back(&symbolizer->Resolve(address));
    const double cpu = ThreadCpuSeconds() - cpu_start;
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(wall.count());

    std::set<std::string> functions;
    std::set<int> modules;
    size_t named = 0;
    for (const tai::internal::Symbolized* s : results) {
      if (!s->name.empty()) {
        ++named;
        functions.insert(s->name);
      }
      if (s->module >= 0) modules.insert(s->module);
    }
    std::string label;
    for (int m : modules) {
      if (!label.empty()) label += ' ';
      label += std::filesystem::path(symbolizer->modules()[m].path).filename().string();
    }
    state.SetLabel(label);
    state.counters["addresses"] = static_cast<double>(addresses.size());
    state.counters["named"] = static_cast<double>(named);
    state.counters["functions"] = static_cast<double>(functions.size());
    state.counters["modules"] = static_cast<double>(modules.size());
    state.counters["samples"] = static_cast<double>(stats.samples);
    state.counters["stacks"] = static_cast<double>(profile->samples.size());
    state.counters["cpu_ms"] = cpu * 1e3;
    state.counters["profiler_symbolize_ms"] = static_cast<double>(stats.symbolize_nanos) * 1e-6;
  }
}
// range(0): requests a second; 20 is `taiobs demo`'s default, 100 the rate
// of bench/demo_bench.
BENCHMARK(BM_SymbolizeRealProfile)
    ->Arg(20)
    ->Arg(100)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

// What the library costs the README's main job: the demo's payment service
// (tools/taiobs/demo_service.h) driven by its load generator at a fixed
// rate for a fixed time, in two setups measured back to back in one process:
//
//   BM_DemoService/demo     the demo's own setup (taiobs/demo_setup.h):
//                           embedded store with spans, logs, metrics and
//                           profiles, the alert engine with its SLOs and
//                           rule, 250 Hz continuous CPU profiling in 5 s
//                           windows with heap snapshots (this binary links
//                           the allocation hooks, as taiobs does), the
//                           dashboard, 2 s collection;
//   BM_DemoService/minimal  the same instrumented code with the store, the
//                           alert engine and the profilers off (spans and
//                           metrics are still made, and go nowhere).
//
// Run with --benchmark_enable_random_interleaving=true so that a change of
// the machine's load falls on both setups.
//
// The time reported is the process's CPU (all threads: service, load
// generator, library) per request during the load, so the ratio of the two
// rows is what the library's background work adds per request. Counters:
// requests, and library_cpu_pct, the share of that CPU spent on the
// library's own threads (named tai-*: collector, exporters, store writer,
// profiler, alert engine) — the figure the demo prints and the dashboard's
// tai_library_cpu_time shows.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "tai/metrics/process_metrics.h"
#include "tai/observability.h"
#include "tools/taiobs/demo_service.h"
#include "tools/taiobs/demo_setup.h"
#include "tools/taiobs/demo_traffic.h"

namespace {

constexpr double kRate = 100;  // requests a second
constexpr auto kLoad = std::chrono::seconds(6);

tai::Config Setup(bool full, const std::string& store) {
  tai::Config c = taiobs::DemoConfig("127.0.0.1:0", store, "");
  if (!full) {
    c.store.enabled = false;
    c.alerts.enabled = false;
  }
  return c;
}

double ProcessCpu(const tai::ProcessSnapshot& s) {
  return s.user_cpu_seconds + s.system_cpu_seconds;
}

void BM_DemoService(benchmark::State& state, bool full) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "tai-demo-bench";
  const std::string store = dir / "demo.db";
  for (auto _ : state) {
    std::filesystem::remove_all(dir);
    auto obs = tai::Observability::Start(Setup(full, store));
    if (!obs.ok()) return state.SkipWithError(obs.status().ToString().c_str());
    if (full) {
      if (auto s = taiobs::AddDemoAlerting(*(*obs)->alerts()); !s.ok()) {
        return state.SkipWithError(s.ToString().c_str());
      }
    }
    auto service = taiobs::DemoService::Start(**obs, "127.0.0.1:0");
    if (!service.ok()) return state.SkipWithError(service.status().ToString().c_str());
    std::optional<taiobs::DemoProfiling> profiling;
    if (full) {
      auto started = taiobs::StartDemoProfiling(**obs, std::chrono::seconds(5));
      if (!started.ok()) return state.SkipWithError(started.status().ToString().c_str());
      profiling = std::move(*started);
    }
    const tai::ProcessSnapshot before = tai::ProcessSnapshot::Read();
    uint64_t requests = 0;
    {
      taiobs::LoadGenerator load(**obs, (*service)->url(), kRate);
      std::this_thread::sleep_for(kLoad);
      load.Stop();
      requests = load.sent();
    }
    const tai::ProcessSnapshot after = tai::ProcessSnapshot::Read();
    const double cpu = ProcessCpu(after) - ProcessCpu(before);
    const double library = after.LibraryCpuSecondsSince(before);
    state.SetIterationTime(requests > 0 ? cpu / static_cast<double>(requests) : 0);
    state.counters["requests"] = static_cast<double>(requests);
    state.counters["library_cpu_pct"] = cpu > 0 ? 100 * library / cpu : 0;
    if (profiling) (void)profiling->service->Stop();
    service->reset();
    (*obs)->Shutdown();
  }
  std::filesystem::remove_all(dir);
}
// One run of 6 s per repetition; the time is set by hand (CPU per request).
void OneLoadPerRepetition(benchmark::internal::Benchmark* b) {
  b->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true)->UseManualTime();
  b->Unit(benchmark::kMicrosecond);
}
BENCHMARK_CAPTURE(BM_DemoService, demo, true)->Apply(OneLoadPerRepetition);
BENCHMARK_CAPTURE(BM_DemoService, minimal, false)->Apply(OneLoadPerRepetition);

}  // namespace

BENCHMARK_MAIN();

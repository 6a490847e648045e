// Metrics hot path and exposition, with the baselines they are judged
// against measured in the same binary:
//   BM_RawFetchAdd/private   relaxed fetch_add on a thread-private cache line
//   BM_RawFetchAdd/shared    relaxed fetch_add on one line shared by all threads
//
//   build/bench/metrics_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "tai/export/prometheus_text.h"
#include "tai/metrics/metric_registry.h"

namespace {

struct alignas(64) PaddedCounter {
  std::atomic<int64_t> v{0};
};

PaddedCounter g_private[64];
PaddedCounter g_shared;

void BM_RawFetchAdd_Private(benchmark::State& state) {
  auto& cell = g_private[state.thread_index()].v;
  for (auto _ : state) cell.fetch_add(1, std::memory_order_relaxed);
}
BENCHMARK(BM_RawFetchAdd_Private)->Threads(1)->Threads(2)->UseRealTime();

void BM_RawFetchAdd_Shared(benchmark::State& state) {
  for (auto _ : state) g_shared.v.fetch_add(1, std::memory_order_relaxed);
}
BENCHMARK(BM_RawFetchAdd_Shared)->Threads(1)->Threads(2)->UseRealTime();

tai::MetricRegistry& Registry() {
  static tai::MetricRegistry* r = new tai::MetricRegistry();
  return *r;
}

void BM_BoundCounterAdd(benchmark::State& state) {
  static tai::BoundCounter bound =
      Registry().CreateCounter({.metric_type = "bench/counter"}).value().Bind().value();
  for (auto _ : state) bound.Add(1);
}
BENCHMARK(BM_BoundCounterAdd)->Threads(1)->Threads(2)->UseRealTime();

void BM_BoundHistogramRecord(benchmark::State& state) {
  static tai::BoundHistogram bound =
      Registry().CreateHistogram({.metric_type = "bench/histogram"}).value().Bind().value();
  // Latency-like values spread over ~12 powers of two, read from a table so
  // that making them costs one load, not part of what is measured.
  static const std::vector<double> values = [] {
    std::vector<double> v(4096);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.5 + static_cast<double>(i * 2654435761u % 4096);
    return v;
  }();
  size_t i = 0;
  for (auto _ : state) bound.Record(values[i++ & 4095]);
}
BENCHMARK(BM_BoundHistogramRecord)->Threads(1)->Threads(2)->UseRealTime();

void BM_CounterAddWith2Labels(benchmark::State& state) {
  static tai::Counter counter = Registry().CreateCounter({.metric_type = "bench/labelled"}).value();
  for (auto _ : state) counter.Add(1, {{"method", "GET"}, {"code", "200"}});
}
BENCHMARK(BM_CounterAddWith2Labels)->Threads(1)->Threads(2)->UseRealTime();

void BM_CounterAddWithLabelSet(benchmark::State& state) {
  static tai::Counter counter = Registry().CreateCounter({.metric_type = "bench/labelset"}).value();
  static const tai::LabelSet labels({{"method", "GET"}, {"code", "200"}});
  for (auto _ : state) counter.Add(1, labels);
}
BENCHMARK(BM_CounterAddWithLabelSet);

// 10,000 counter series over 10 metrics with 2 labels each.
std::unique_ptr<tai::MetricRegistry> MakeTenThousandSeries() {
  auto r = std::make_unique<tai::MetricRegistry>(
      tai::MetricRegistryOptions{.cardinality_limit = 100000});
  for (int m = 0; m < 10; ++m) {
    auto c = r->CreateCounter(
                  {.metric_type = "custom.googleapis.com/bench/requests_" + std::to_string(m),
                   .description = "Requests"})
                 .value();
    for (int s = 0; s < 1000; ++s) {
      c.Add(s, {{"route", "/api/v1/item/" + std::to_string(s % 100)},
                {"instance", "host-" + std::to_string(s / 100)}});
    }
  }
  return r;
}

void BM_Exposition10kSeries(benchmark::State& state) {
  auto r = MakeTenThousandSeries();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    out.reserve(1 << 20);
    tai::WritePrometheusText(*r->Collect(), {}, &out);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Exposition10kSeries)->Unit(benchmark::kMillisecond);

void BM_Exposition10kSeries_FormatOnly(benchmark::State& state) {
  auto r = MakeTenThousandSeries();
  auto batch = r->Collect();
  for (auto _ : state) {
    std::string out;
    out.reserve(1 << 20);
    tai::WritePrometheusText(*batch, {}, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Exposition10kSeries_FormatOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

// The alert engine: one evaluation cycle of 1,000 rules over a store of
// 10,000 series (100 metrics x 100 hosts: gauges, counters and
// histograms, ten minutes at 10 s), every rule grouped by host so that a
// cycle tracks 100,000 groups. The reference, measured in the same run, is
// the store answering the same window query for each rule with nothing on
// top: what any evaluator must pay. Wall and CPU time per cycle are
// reported; the CPU share at the default 1-minute interval is cpu / 60 s.
//
//   build/bench/alert_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/temp_dir_testing.h"
#include "tai/alert/alert_engine.h"
#include "tai/store/store.h"

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kBase = int64_t{1'700'000'000} / 86'400 * 86'400 * kSecond;
constexpr int kMetrics = 100;  // 40 gauges, 40 counters, 20 histograms
constexpr int kHosts = 100;
constexpr int kPoints = 60;  // ten minutes at 10 s
constexpr int kRules = 1000;
constexpr int64_t kNow = kBase + kPoints * 10 * kSecond;

enum class Kind { kGauge, kCounter, kHistogram };

Kind KindOf(int metric) {
  return metric < 40 ? Kind::kGauge : metric < 80 ? Kind::kCounter : Kind::kHistogram;
}

std::string MetricName(int metric) { return "bench/m" + std::to_string(metric); }

// One store shared by the benchmarks, written once.
struct Fixture {
  tai::testing::TempDir dir;
  std::unique_ptr<tai::Store> store;
  std::vector<tai::AlertingRule> rules;

  Fixture() {
    tai::StoreOptions options;
    options.path = dir.path() + "/alerts.db";
    options.clock = [] { return kNow; };
    auto opened = tai::Store::Open(options);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
      std::abort();
    }
    store = std::move(*opened);
    Fill();
    MakeRules();
  }

  void Fill() {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> latency(3, 1);
    std::vector<tai::LabelSet> hosts;
    for (int h = 0; h < kHosts; ++h)
      hosts.emplace_back(tai::LabelsView{{"host", "h" + std::to_string(h)}});
    std::vector<std::shared_ptr<const tai::MetricDescriptor>> descriptors;
    for (int m = 0; m < kMetrics; ++m) {
      const tai::MetricType type = KindOf(m) == Kind::kGauge     ? tai::MetricType::kGauge
                                   : KindOf(m) == Kind::kCounter ? tai::MetricType::kCumulative
                                                                 : tai::MetricType::kDistribution;
      descriptors.push_back(std::make_shared<const tai::MetricDescriptor>(
          tai::MetricDescriptor{.metric_type = MetricName(m), .value_type = type}));
    }
    std::vector<tai::HistogramData> cumulative(static_cast<size_t>(kMetrics * kHosts));
    for (int p = 0; p < kPoints; ++p) {
      const int64_t t = kBase + (p + 1) * 10 * kSecond;
      auto batch = std::make_shared<tai::MetricBatch>();
      batch->time_nanos = t;
      for (int m = 0; m < kMetrics; ++m) {
        const Kind kind = KindOf(m);
        tai::MetricData data{descriptors[static_cast<size_t>(m)],
                             kind == Kind::kGauge     ? tai::InstrumentKind::kGauge
                             : kind == Kind::kCounter ? tai::InstrumentKind::kCounter
                                                      : tai::InstrumentKind::kHistogram,
                             tai::Temporality::kCumulative,
                             {}};
        for (int h = 0; h < kHosts; ++h) {
          const auto& labels = hosts[static_cast<size_t>(h)];
          if (kind == Kind::kGauge) {
            data.points.push_back({labels, kBase, t, static_cast<double>(rng() % 1000) / 10});
          } else if (kind == Kind::kCounter) {
            data.points.push_back({labels, kBase, t, int64_t{p} * (h + 1) * 7});
          } else {
            auto& hist = cumulative[static_cast<size_t>(m * kHosts + h)];
            for (int k = 0; k < 20; ++k) hist.Record(latency(rng));
            data.points.push_back({labels, kBase, t,
                                   tai::MetricValue(tai::DistributionValue::FromHistogram(
                                       std::make_shared<const tai::HistogramData>(hist)))});
          }
        }
        batch->metrics.push_back(std::move(data));
      }
      store->AddMetrics(std::move(batch));
    }
    if (!store->Flush(std::chrono::seconds(300)).ok()) std::abort();
  }

  // Ten rules a metric, each grouped by host, with thresholds that let a
  // few percent of the hosts hold.
  void MakeRules() {
    const tai::WindowAggregation gauge[] = {
        tai::WindowAggregation::kMean, tai::WindowAggregation::kMax, tai::WindowAggregation::kMin,
        tai::WindowAggregation::kLast};
    const tai::WindowAggregation counter[] = {tai::WindowAggregation::kRate,
                                              tai::WindowAggregation::kIncrease};
    const tai::WindowAggregation histogram[] = {
        tai::WindowAggregation::kP99, tai::WindowAggregation::kP95, tai::WindowAggregation::kP50,
        tai::WindowAggregation::kMean, tai::WindowAggregation::kCount};
    for (int r = 0; r < kRules; ++r) {
      const int m = r % kMetrics;
      tai::AlertingRule rule{.id = "rule-" + std::to_string(r),
                             .metric_type = MetricName(m),
                             .evaluation_window_secs = 300};
      rule.group_by = {"host"};
      // Each cycle moves the clock by a second: every rule is due, and the
      // window still covers the data.
      rule.interval = std::chrono::seconds(1);
      switch (KindOf(m)) {
        case Kind::kGauge:
          rule.aggregation = gauge[r % 4];
          rule.threshold = 95;
          break;
        case Kind::kCounter:
          rule.aggregation = counter[r % 2];
          rule.threshold = r % 2 == 0 ? 60 : 60 * 300;  // per second, per window
          break;
        case Kind::kHistogram:
          rule.aggregation = histogram[r % 5];
          rule.threshold = 400;
          break;
      }
      rules.push_back(std::move(rule));
    }
  }
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

void BM_AlertEngine_EvaluationCycle(benchmark::State& state) {
  Fixture& f = Shared();
  std::atomic<int64_t> now{kNow};
  auto engine = tai::AlertEngine::Create({.store = f.store.get(),
                                          .clock = [&] { return now.fetch_add(1); },
                                          .record_to_store = false});
  if (!engine.ok() || !(*engine)->ReplaceRules(f.rules).ok()) {
    state.SkipWithError("engine");
    return;
  }
  for (auto _ : state) {
    now += kSecond;
    if (!(*engine)->EvaluateOnce().ok()) state.SkipWithError("evaluation failed");
  }
  const tai::AlertEngineStats s = (*engine)->stats();
  state.counters["rules"] = static_cast<double>(s.rules);
  state.counters["alerts"] = static_cast<double>(s.alerts);
  state.counters["evaluations"] =
      benchmark::Counter(static_cast<double>(s.evaluations), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_AlertEngine_EvaluationCycle)->Unit(benchmark::kMillisecond)->MinTime(5);

// The reference: each rule's window query straight from the store.
void BM_StoreWindowQueries(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    for (const tai::AlertingRule& rule : f.rules) {
      const int64_t window = rule.evaluation_window_secs * kSecond;
      tai::StepFunction function = tai::StepFunction::kAvg;
      switch (rule.aggregation) {
        case tai::WindowAggregation::kMax:
          function = tai::StepFunction::kMax;
          break;
        case tai::WindowAggregation::kMin:
          function = tai::StepFunction::kMin;
          break;
        case tai::WindowAggregation::kLast:
          function = tai::StepFunction::kLast;
          break;
        case tai::WindowAggregation::kRate:
          function = tai::StepFunction::kRate;
          break;
        case tai::WindowAggregation::kIncrease:
          function = tai::StepFunction::kIncrease;
          break;
        case tai::WindowAggregation::kCount:
          function = tai::StepFunction::kCount;
          break;
        case tai::WindowAggregation::kP50:
        case tai::WindowAggregation::kP95:
        case tai::WindowAggregation::kP99:
          function = tai::StepFunction::kQuantile;
          break;
        default:
          break;
      }
      auto r = f.store->QueryRange({.metric = rule.metric_type,
                                    .start_nanos = kNow + 1 - window,
                                    .end_nanos = kNow + 1,
                                    .step_nanos = window,
                                    .function = function,
                                    .quantile = 0.99});
      if (!r.ok()) state.SkipWithError("query failed");
      benchmark::DoNotOptimize(r);
    }
  }
}
BENCHMARK(BM_StoreWindowQueries)->Unit(benchmark::kMillisecond)->MinTime(5);

}  // namespace

BENCHMARK_MAIN();

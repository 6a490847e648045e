// Many threads on one series: totals are exact (run under TSan in CI).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metrics/metrics_testing.h"
#include "tai/metrics/metric_registry.h"

namespace tai {
namespace {

void RunThreads(int n, const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(body, i);
  for (auto& t : threads) t.join();
}

class BoundCounterThreads : public ::testing::TestWithParam<int> {};

TEST_P(BoundCounterThreads, MillionAddsEachSumExactly) {
  const int threads = GetParam();
  constexpr int kAdds = 1'000'000;
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/hits"}).value();
  auto bound = c.Bind({{"k", "v"}}).value();
  RunThreads(threads, [&](int) {
    for (int i = 0; i < kAdds; ++i) bound.Add(1);
  });
  auto batch = r.Collect();
  EXPECT_EQ(testing::FindPoint(*batch, "app/hits", LabelSet({{"k", "v"}}))->value.int64(),
            int64_t{threads} * kAdds);
}

INSTANTIATE_TEST_SUITE_P(Threads, BoundCounterThreads, ::testing::Values(2, 4));

TEST(ConcurrencyTest, HistogramRecordsWhileCollecting) {
  constexpr int kThreads = 4, kRecords = 200'000;
  MetricRegistry r;
  auto h = r.CreateHistogram({.metric_type = "app/latency"}).value();
  auto bound = h.Bind().value();
  std::atomic<bool> done{false};
  std::thread collector([&] {
    while (!done.load()) r.Collect();
  });
  RunThreads(kThreads, [&](int t) {
    for (int i = 0; i < kRecords; ++i) bound.Record(1.0 + (i % 1000) * (t + 1));
  });
  done.store(true);
  collector.join();
  auto batch = r.Collect();
  const auto& d = testing::FindPoint(*batch, "app/latency", LabelSet())->value.distribution();
  EXPECT_EQ(d.count, uint64_t{kThreads} * kRecords);
  uint64_t in_buckets = 0;
  d.histogram->ForEachBucket([&](double, double, uint64_t c) { in_buckets += c; });
  EXPECT_EQ(in_buckets, d.count);
}

TEST(ConcurrencyTest, ConcurrentSeriesCreationKeepsEverySeries) {
  constexpr int kThreads = 4, kSeries = 500;
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/keys"}).value();
  RunThreads(kThreads, [&](int) {
    for (int i = 0; i < kSeries; ++i) c.Add(1, {{"key", std::to_string(i)}});
  });
  auto batch = r.Collect();
  const MetricData* m = testing::FindMetric(*batch, "app/keys");
  ASSERT_EQ(m->points.size(), static_cast<size_t>(kSeries));
  for (const auto& p : m->points) EXPECT_EQ(p.value.int64(), kThreads);
}

TEST(ConcurrencyTest, GaugesAndUpDownFromManyThreads) {
  MetricRegistry r;
  auto u = r.CreateUpDownCounter({.metric_type = "app/open"}).value();
  auto g = r.CreateGauge({.metric_type = "app/last"}).value();
  RunThreads(4, [&](int t) {
    for (int i = 0; i < 100000; ++i) {
      u.Add(1);
      u.Add(-1);
      g.Set(t);
    }
  });
  auto batch = r.Collect();
  EXPECT_EQ(testing::FindPoint(*batch, "app/open", LabelSet())->value.int64(), 0);
  double last = testing::FindPoint(*batch, "app/last", LabelSet())->value.dbl();
  EXPECT_TRUE(last >= 0 && last <= 3);
}

}  // namespace
}  // namespace tai

#include "tai/store/in_memory_metric_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "tai/metrics/metric_registry.h"

namespace tai {
namespace {

TEST(InMemoryMetricStoreTest, KeepsRecentPointsPerSeriesBounded) {
  InMemoryMetricStore store(3, 100);
  for (int i = 1; i <= 5; ++i) store.Append("m", {LabelSet(), i, MetricValue(i * 10)});
  auto points = store.Query("m", 10);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points.front().value.int64(), 30);
  EXPECT_EQ(store.Latest("m")->value.int64(), 50);
  EXPECT_EQ(store.Query("m", 2).front().value.int64(), 40);
  EXPECT_FALSE(store.Latest("other").has_value());
}

TEST(InMemoryMetricStoreTest, SamePointSeenTwiceIsStoredOnce) {
  InMemoryMetricStore store;
  store.Append("m", {LabelSet(), 7, MetricValue(1.5)});
  store.Append("m", {LabelSet(), 7, MetricValue(1.5)});
  EXPECT_EQ(store.Query("m", 10).size(), 1u);
}

TEST(InMemoryMetricStoreTest, SeriesLimitDropsAndCounts) {
  InMemoryMetricStore store(10, 2);
  for (int i = 0; i < 4; ++i) {
    store.Append("m", {LabelSet({{"k", std::to_string(i)}}), 1, MetricValue(i)});
  }
  EXPECT_EQ(store.Query("m", 10).size(), 2u);
  EXPECT_EQ(store.dropped_series(), 2u);
}

// Many histogram series collected again and again: past the byte budget
// every series keeps the same number of recent points, and the total stays
// near the budget instead of growing to 1000 points a series.
TEST(InMemoryMetricStoreTest, ABytesBudgetKeepsEverySeriesItsRecentPoints) {
  MetricRegistry r;
  auto h = r.CreateHistogram({.metric_type = "lat", .labels = {{"route"}}}).value();
  constexpr size_t kBudget = 256 << 10;
  InMemoryMetricStore store(1000, 10000, kBudget);
  size_t peak = 0;
  for (int collection = 0; collection < 200; ++collection) {
    for (int route = 0; route < 20; ++route) {
      for (int i = 1; i <= 50; ++i)
        h.Record(i * (route + 1) * 0.37, {{"route", std::to_string(route)}});
    }
    ASSERT_TRUE(store.Export(r.Collect()).ok());
    peak = std::max(peak, store.bytes());
  }
  EXPECT_GT(store.evicted_points(), 0u);
  EXPECT_LE(peak, kBudget + kBudget / 10) << "one collection's points past the budget at most";
  const auto points = store.Query("lat", 1'000'000);
  ASSERT_FALSE(points.empty());
  EXPECT_LT(points.size(), 20u * 200u);
  std::map<std::string, size_t> per_series;
  for (const StoredPoint& p : points) ++per_series[p.labels.ToString()];
  ASSERT_EQ(per_series.size(), 20u);
  auto [fewest, most] =
      std::minmax_element(per_series.begin(), per_series.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; });
  EXPECT_LE(most->second - fewest->second, 1u)
      << "every series keeps about as many points: " << fewest->second << " to " << most->second;
  EXPECT_GT(fewest->second, 1u);
  EXPECT_EQ(points.back().time_nanos, store.Latest("lat")->time_nanos);
}

TEST(InMemoryMetricStoreTest, NumberStatistics) {
  InMemoryMetricStore store;
  for (int i = 1; i <= 100; ++i) store.Append("m", {LabelSet(), i, MetricValue(double(i))});
  auto s = store.Statistics("m");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->count, 100u);
  EXPECT_DOUBLE_EQ(s->mean, 50.5);
  EXPECT_DOUBLE_EQ(s->min, 1);
  EXPECT_DOUBLE_EQ(s->max, 100);
  EXPECT_DOUBLE_EQ(s->percentiles.at("p99"), 99);
  EXPECT_EQ(store.Statistics("none").status().message(), "no points stored for metric type 'none'");
}

TEST(InMemoryMetricStoreTest, DistributionStatisticsMergeSeriesBuckets) {
  MetricRegistry r;
  auto h = r.CreateHistogram({.metric_type = "lat"}).value();
  for (int i = 1; i <= 100; ++i) h.Record(i, {{"route", i % 2 ? "a" : "b"}});
  InMemoryMetricStore store;
  ASSERT_TRUE(store.Export(r.Collect()).ok());
  auto s = store.Statistics("lat");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->count, 100u);
  EXPECT_DOUBLE_EQ(s->mean, 50.5);
  EXPECT_NEAR(s->percentiles.at("p50"), 50, 50 * 0.011);
  EXPECT_DOUBLE_EQ(s->max, 100);
}

}  // namespace
}  // namespace tai

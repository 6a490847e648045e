#include <gtest/gtest.h>

#include "metrics/metrics_testing.h"
#include "tai/metrics/metric_collector.h"

namespace tai {
namespace {

using testing::FindPoint;

TEST(CollectorTest, ExportsEveryIntervalUntilStopped) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/n"}).value();
  auto sink = std::make_shared<InMemoryMetricSink>();
  MetricCollector collector(r, std::chrono::milliseconds(20));
  collector.AddSink(sink);
  ASSERT_TRUE(collector.Start().ok());
  EXPECT_FALSE(collector.Start().ok());
  c.Add(1);
  // Bounded wait for three interval exports.
  for (int i = 0; i < 500 && sink->exported() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(sink->exported(), 3u);
  c.Add(41);
  collector.Stop(std::chrono::seconds(1));
  // The last collection at Stop carries what was recorded just before.
  EXPECT_EQ(FindPoint(*sink->last(), "app/n", LabelSet())->value.int64(), 42);
}

TEST(CollectorTest, DeltaSinkGetsChangesCumulativeSinkGetsTotals) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/n"}).value();
  auto h = r.CreateHistogram({.metric_type = "app/lat"}).value();
  auto g = r.CreateGauge({.metric_type = "app/g"}).value();
  auto cumulative = std::make_shared<InMemoryMetricSink>(Temporality::kCumulative);
  auto delta = std::make_shared<InMemoryMetricSink>(Temporality::kDelta);
  MetricCollector collector(r, std::chrono::hours(1));
  collector.AddSink(cumulative);
  collector.AddSink(delta);
  c.Add(5);
  h.Record(1);
  h.Record(2);
  g.Set(7);
  collector.CollectNow();
  c.Add(3);
  h.Record(100);
  collector.CollectNow();
  auto d = delta->last();
  EXPECT_EQ(FindPoint(*d, "app/n", LabelSet())->value.int64(), 3);
  const auto& dh = FindPoint(*d, "app/lat", LabelSet())->value.distribution();
  EXPECT_EQ(dh.count, 1u);
  EXPECT_DOUBLE_EQ(dh.mean, 100);
  EXPECT_DOUBLE_EQ(FindPoint(*d, "app/g", LabelSet())->value.dbl(), 7);
  const MetricPoint* dn = FindPoint(*d, "app/n", LabelSet());
  const MetricPoint* first = FindPoint(*delta->batches()[0], "app/n", LabelSet());
  EXPECT_EQ(dn->start_time_nanos, first->time_nanos);
  EXPECT_EQ(FindPoint(*cumulative->last(), "app/n", LabelSet())->value.int64(), 8);
  EXPECT_EQ(FindPoint(*cumulative->last(), "app/lat", LabelSet())->value.distribution().count, 3u);
}

class FailingSink : public MetricSink {
 public:
  std::string name() const override { return "failing"; }
  Status Export(std::shared_ptr<const MetricBatch>) override {
    return UnavailableError("backend down");
  }
};

TEST(CollectorTest, ExportErrorsAreCounted) {
  MetricRegistry r;
  MetricCollector collector(r, std::chrono::hours(1));
  collector.AddSink(std::make_shared<FailingSink>());
  collector.CollectNow();
  collector.CollectNow();
  auto batch = r.Collect();
  EXPECT_EQ(
      FindPoint(*batch, "tai_metric_export_errors", LabelSet({{"sink", "failing"}}))->value.int64(),
      2);
  EXPECT_EQ(FindPoint(*batch, "tai_metric_exports", LabelSet({{"sink", "failing"}}))->value.int64(),
            2);
}

}  // namespace
}  // namespace tai

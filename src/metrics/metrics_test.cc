#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "metrics/metrics_testing.h"
#include "tai/metrics/metric_registry.h"

namespace tai {
namespace {

using testing::FindMetric;
using testing::FindPoint;

int64_t IntValue(MetricRegistry& r, const std::string& type, LabelSet labels = LabelSet()) {
  auto batch = r.Collect();
  const MetricPoint* p = FindPoint(*batch, type, labels);
  return p ? p->value.int64() : -1;
}

uint64_t Rejected(MetricRegistry& r, const std::string& type, const std::string& reason) {
  auto batch = r.Collect();
  const MetricPoint* p =
      FindPoint(*batch, "tai_metric_rejected", LabelSet({{"metric", type}, {"reason", reason}}));
  return p ? static_cast<uint64_t>(p->value.int64()) : 0;
}

TEST(CounterTest, AddsAndRejectsNegative) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/requests"}).value();
  c.Add(3);
  c.Add(4);
  c.Add(-2);
  EXPECT_EQ(IntValue(r, "app/requests"), 7);
  EXPECT_EQ(Rejected(r, "app/requests", "invalid_value"), 1u);
  EXPECT_EQ(c.descriptor().value_type, MetricType::kCumulative);
}

TEST(CounterTest, LabelsAtCallAreOrderInsensitive) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/requests"}).value();
  c.Add(1, {{"method", "GET"}, {"code", "200"}});
  c.Add(1, {{"code", "200"}, {"method", "GET"}});
  LabelSet set({{"method", "GET"}, {"code", "200"}});
  c.Add(1, set);
  auto bound = c.Bind(set).value();
  bound.Add(2);
  EXPECT_EQ(IntValue(r, "app/requests", set), 5);
  auto batch = r.Collect();
  EXPECT_EQ(FindMetric(*batch, "app/requests")->points.size(), 1u);
}

TEST(CounterTest, DoubleCounterRejectsNaNInfAndNegative) {
  MetricRegistry r;
  auto c = r.CreateDoubleCounter({.metric_type = "app/bytes", .unit = MetricUnit::kBytes}).value();
  c.Add(1.5);
  c.Add(NAN);
  c.Add(INFINITY);
  c.Add(-1);
  auto batch = r.Collect();
  EXPECT_DOUBLE_EQ(FindPoint(*batch, "app/bytes", LabelSet())->value.dbl(), 1.5);
  EXPECT_EQ(Rejected(r, "app/bytes", "invalid_value"), 3u);
}

TEST(UpDownCounterTest, GoesBothWays) {
  MetricRegistry r;
  auto u = r.CreateUpDownCounter({.metric_type = "app/in_flight"}).value();
  u.Add(5);
  u.Add(-7);
  EXPECT_EQ(IntValue(r, "app/in_flight"), -2);
  EXPECT_EQ(u.descriptor().value_type, MetricType::kGauge);
}

TEST(GaugeTest, LastValueWinsAndUnsetSeriesAreAbsent) {
  MetricRegistry r;
  auto g = r.CreateGauge({.metric_type = "app/temperature", .unit = MetricUnit("Cel")}).value();
  auto never = g.Bind({{"room", "attic"}}).value();
  (void)never;
  g.Set(20.5, {{"room", "kitchen"}});
  g.Set(21.0, {{"room", "kitchen"}});
  g.Set(NAN, {{"room", "kitchen"}});
  auto batch = r.Collect();
  const MetricData* m = FindMetric(*batch, "app/temperature");
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->points.size(), 1u);
  EXPECT_DOUBLE_EQ(m->points[0].value.dbl(), 21.0);
  EXPECT_EQ(Rejected(r, "app/temperature", "invalid_value"), 1u);
}

TEST(HistogramTest, RecordsThroughAllPaths) {
  MetricRegistry r;
  auto h =
      r.CreateHistogram({.metric_type = "app/latency", .unit = MetricUnit::kMilliseconds}).value();
  h.Record(10);
  h.Record(20);
  h.Bind().value().Record(30);
  h.Record(NAN);
  auto batch = r.Collect();
  const auto& d = FindPoint(*batch, "app/latency", LabelSet())->value.distribution();
  EXPECT_EQ(d.count, 3u);
  EXPECT_DOUBLE_EQ(d.mean, 20);
  EXPECT_NEAR(d.sum_of_squared_deviation, 200, 1e-9);
  EXPECT_DOUBLE_EQ(d.histogram->min(), 10);
  EXPECT_DOUBLE_EQ(d.histogram->max(), 30);
  EXPECT_EQ(Rejected(r, "app/latency", "invalid_value"), 1u);
  // Cumulative: a second collection still has everything.
  h.Record(40);
  batch = r.Collect();
  EXPECT_EQ(FindPoint(*batch, "app/latency", LabelSet())->value.distribution().count, 4u);
}

TEST(HistogramTest, ExplicitBoundsAndOptionErrors) {
  MetricRegistry r;
  auto h = r.CreateHistogram({.metric_type = "app/size"}, {.explicit_bounds = {10, 100}}).value();
  for (double v : {5.0, 50.0, 500.0, 5000.0}) h.Record(v);
  auto batch = r.Collect();
  const auto& hd = *FindPoint(*batch, "app/size", LabelSet())->value.distribution().histogram;
  EXPECT_EQ(hd.bucket_counts(), (std::vector<uint64_t>{1, 1, 2}));
  EXPECT_EQ(
      r.CreateHistogram({.metric_type = "app/bad"}, {.explicit_bounds = {3, 2}}).status().message(),
      "histogram 'app/bad': explicit histogram bounds must increase strictly; bound 1 "
      "(2.000000) is not above bound 0 (3.000000)");
  EXPECT_EQ(r.CreateHistogram({.metric_type = "app/bad2"}, {.max_scale = 9}).status().message(),
            "histogram 'app/bad2': max_scale 9 is outside 0..6");
}

TEST(LabelsTest, InvalidLabelsAreRejectedWithReason) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/x", .labels = {{"method"}, {"code"}}}).value();
  auto bad_key = c.Bind({{"Method", "GET"}});
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.status().message(),
            "metric 'app/x' labels {Method=\"GET\"}: label key 'Method' must start with a "
            "lower-case letter");
  auto undeclared = c.Bind({{"route", "/"}});
  ASSERT_FALSE(undeclared.ok());
  EXPECT_EQ(undeclared.status().message(),
            "metric 'app/x' labels {route=\"/\"}: label 'route' is not declared (declared: "
            "method, code)");
  std::string long_value(2000, 'v');
  EXPECT_NE(c.Bind({{"method", long_value}}).status().message().find("the limit is 1024"),
            std::string::npos);
  EXPECT_NE(c.Bind({{"method", "\xff"}}).status().message().find("not valid UTF-8"),
            std::string::npos);
  c.Add(1, {{"Method", "GET"}});  // counted, not applied
  EXPECT_EQ(Rejected(r, "app/x", "invalid_labels"), 5u);
  auto batch = r.Collect();
  EXPECT_EQ(FindMetric(*batch, "app/x"), nullptr);
}

TEST(LabelsTest, TooManyLabelsAtCall) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/x"}).value();
  std::vector<std::string> keys;
  for (int i = 0; i < 31; ++i) keys.push_back("k" + std::to_string(i));
  std::vector<Label> labels;
  for (const auto& k : keys) labels.push_back({k, "v"});
  auto bound = c.Bind(std::span<const Label>(labels));
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.status().message(), "metric 'app/x': 31 labels; the limit is 30");
}

TEST(CardinalityTest, OverflowSeriesPastTheLimit) {
  MetricRegistry r({.cardinality_limit = 3});
  auto c = r.CreateCounter({.metric_type = "app/users"}).value();
  for (int i = 0; i < 10; ++i) c.Add(1, {{"user", std::to_string(i)}});
  c.Add(5, {{"user", "0"}});  // an existing series still takes writes
  auto batch = r.Collect();
  const MetricData* m = FindMetric(*batch, "app/users");
  ASSERT_EQ(m->points.size(), 4u);
  EXPECT_EQ(FindPoint(*batch, "app/users", LabelSet({{"user", "0"}}))->value.int64(), 6);
  EXPECT_EQ(
      FindPoint(*batch, "app/users", LabelSet({{"otel_metric_overflow", "true"}}))->value.int64(),
      7);
  const MetricPoint* overflow =
      FindPoint(*batch, "tai_metric_overflow", LabelSet({{"metric", "app/users"}}));
  ASSERT_NE(overflow, nullptr);
  EXPECT_EQ(overflow->value.int64(), 7);
  EXPECT_EQ(
      FindPoint(*batch, "tai_metric_series", LabelSet({{"metric", "app/users"}}))->value.int64(),
      4);
}

TEST(RegistryTest, ReRegistrationSameDefinitionReturnsSameMetric) {
  MetricRegistry r;
  auto a = r.CreateCounter({.metric_type = "app/requests"}).value();
  auto b = r.CreateCounter({.metric_type = "app/requests"}).value();
  a.Add(1);
  b.Add(1);
  EXPECT_EQ(IntValue(r, "app/requests"), 2);
}

TEST(RegistryTest, ReRegistrationWithDifferentKindOrUnitFails) {
  MetricRegistry r;
  ASSERT_TRUE(r.CreateCounter({.metric_type = "app/requests"}).ok());
  auto as_gauge = r.CreateGauge({.metric_type = "app/requests"});
  ASSERT_FALSE(as_gauge.ok());
  EXPECT_EQ(as_gauge.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(as_gauge.status().message(),
            "metric 'app/requests' is already registered as CUMULATIVE counter with unit '1'; "
            "cannot register it again as GAUGE gauge with unit '1'");
  auto other_unit = r.CreateCounter({.metric_type = "app/requests", .unit = MetricUnit::kBytes});
  EXPECT_EQ(other_unit.status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(r.CreateHistogram({.metric_type = "app/h"}).ok());
  auto other_bounds = r.CreateHistogram({.metric_type = "app/h"}, {.explicit_bounds = {1}});
  EXPECT_NE(other_bounds.status().message().find("(explicit bounds 1)"), std::string::npos);
  auto labels = r.CreateCounter({.metric_type = "app/requests", .labels = {{"code"}}});
  EXPECT_NE(labels.status().message().find("and labels [code]"), std::string::npos);
}

TEST(RegistryTest, DeclaredValueTypeMustMatchInstrument) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/x", .value_type = MetricType::kDistribution});
  EXPECT_EQ(c.status().message(),
            "metric 'app/x' is declared DISTRIBUTION but this instrument makes CUMULATIVE data");
}

TEST(RegistryTest, InvalidDescriptorIsRejected) {
  MetricRegistry r;
  EXPECT_EQ(r.CreateCounter({.metric_type = ""}).status().message(), "metric type is empty");
}

TEST(CallbackTest, GaugeAndCounterCallbacks) {
  MetricRegistry r;
  int calls = 0;
  auto id = r.CreateCallbackGauge({.metric_type = "app/queue"}, [&](Observer& o) {
    ++calls;
    o.Observe(3.5, {{"queue", "a"}});
    o.Observe(7, {{"queue", "b"}});
  });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(r.CreateCallbackCounter({.metric_type = "app/cpu_ns"}, [](Observer& o) {
                 o.Observe(int64_t{123});
               }).ok());
  auto batch = r.Collect();
  EXPECT_DOUBLE_EQ(FindPoint(*batch, "app/queue", LabelSet({{"queue", "a"}}))->value.dbl(), 3.5);
  EXPECT_EQ(FindPoint(*batch, "app/queue", LabelSet({{"queue", "b"}}))->value.int64(), 7);
  EXPECT_EQ(FindPoint(*batch, "app/cpu_ns", LabelSet())->value.int64(), 123);
  EXPECT_EQ(FindMetric(*batch, "app/cpu_ns")->kind, InstrumentKind::kObservedCounter);
  r.RemoveCallback(*id);
  batch = r.Collect();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(FindMetric(*batch, "app/queue"), nullptr);
}

TEST(CallbackTest, ThrowingCallbackIsCountedAndSkipped) {
  MetricRegistry r;
  ASSERT_TRUE(r.CreateCallbackGauge({.metric_type = "app/flaky"}, [](Observer&) {
                 throw std::runtime_error("boom");
               }).ok());
  auto batch = r.Collect();
  EXPECT_EQ(FindPoint(*batch, "tai_metric_callback_errors", LabelSet())->value.int64(), 1);
  EXPECT_EQ(r.CreateCallbackGauge({.metric_type = "app/empty"}, nullptr).status().message(),
            "metric 'app/empty': the callback is empty");
}

TEST(WritePointTest, WritesWholePointsAndChecksKinds) {
  MetricRegistry r;
  ASSERT_TRUE(
      r.WritePoint("custom.googleapis.com/app/cpu", MetricValue(42.5), LabelSet(), 1000).ok());
  DistributionValue d{.count = 10, .mean = 5, .percentiles = {{"p99", 9.0}}};
  Status wrong = r.WritePoint("custom.googleapis.com/app/cpu", MetricValue(d), LabelSet(), 2000);
  EXPECT_EQ(
      wrong.message(),
      "metric 'custom.googleapis.com/app/cpu' is GAUGE; a distribution point does not fit it");
  ASSERT_TRUE(r.RegisterDescriptor({.metric_type = "custom.googleapis.com/app/total",
                                    .value_type = MetricType::kCumulative})
                  .ok());
  EXPECT_FALSE(
      r.WritePoint("custom.googleapis.com/app/total", MetricValue(-1), LabelSet(), 1).ok());
  ASSERT_TRUE(
      r.WritePoint("custom.googleapis.com/app/total", MetricValue(100000), LabelSet(), 3000).ok());
  ASSERT_TRUE(r.CreateCounter({.metric_type = "app/instrumented"}).ok());
  EXPECT_EQ(r.WritePoint("app/instrumented", MetricValue(1), LabelSet(), 1).code(),
            StatusCode::kFailedPrecondition);
  auto batch = r.Collect();
  const MetricPoint* cpu = FindPoint(*batch, "custom.googleapis.com/app/cpu", LabelSet());
  EXPECT_DOUBLE_EQ(cpu->value.dbl(), 42.5);
  EXPECT_EQ(cpu->time_nanos, 1000);
  EXPECT_EQ(FindPoint(*batch, "custom.googleapis.com/app/total", LabelSet())->value.int64(),
            100000);
}

TEST(DefaultHandlesTest, DoNothingAndDoNotCrash) {
  Counter c;
  c.Add(1);
  c.Add(1, {{"a", "b"}});
  EXPECT_FALSE(c.Bind().ok());
  BoundCounter bc;
  bc.Add(5);
  Gauge g;
  g.Set(1);
  Histogram h;
  h.Record(1);
  BoundHistogram bh;
  bh.Record(1);
  EXPECT_EQ(c.descriptor().metric_type, "");
}

}  // namespace
}  // namespace tai

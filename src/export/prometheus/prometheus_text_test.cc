#include "tai/export/prometheus_text.h"

#include <gtest/gtest.h>

#include "tai/metrics/metric_registry.h"

namespace tai {
namespace {

std::string Expose(MetricRegistry& r, PrometheusOptions o = {}) {
  std::string out;
  auto batch = r.Collect();
  // Only the application's metrics: drop the registry's own tai_* ones.
  MetricBatch mine;
  for (const auto& m : batch->metrics) {
    if (m.descriptor->metric_type.rfind("tai_", 0) != 0) mine.metrics.push_back(m);
  }
  WritePrometheusText(mine, o, &out);
  return out;
}

TEST(PrometheusNameTest, MapsCloudMonitoringTypes) {
  MetricDescriptor d{.metric_type = "custom.googleapis.com/myapp/request_latency",
                     .value_type = MetricType::kDistribution,
                     .unit = MetricUnit::kMilliseconds};
  double scale = 0;
  EXPECT_EQ(PrometheusName(d, PrometheusUnitStyle::kKeepUnits, &scale),
            "myapp_request_latency_milliseconds");
  EXPECT_EQ(scale, 1);
  EXPECT_EQ(PrometheusName(d, PrometheusUnitStyle::kBaseUnits, &scale),
            "myapp_request_latency_seconds");
  EXPECT_DOUBLE_EQ(scale, 1e-3);
  EXPECT_EQ(PrometheusName({.metric_type = "app/heap", .unit = MetricUnit::kMebibytes},
                           PrometheusUnitStyle::kBaseUnits),
            "app_heap_bytes");
  EXPECT_EQ(PrometheusName({.metric_type = "requests_total", .value_type = MetricType::kCumulative},
                           PrometheusUnitStyle::kBaseUnits),
            "requests");
  EXPECT_EQ(PrometheusName({.metric_type = "a.b-c/d", .unit = MetricUnit("{request}/s")},
                           PrometheusUnitStyle::kBaseUnits),
            "d_per_seconds");
  EXPECT_EQ(PrometheusName({.metric_type = "io.speed", .unit = MetricUnit("By/s")},
                           PrometheusUnitStyle::kKeepUnits),
            "io_speed_bytes_per_seconds");
  EXPECT_EQ(PrometheusName({.metric_type = "cpu", .unit = MetricUnit::kPercent},
                           PrometheusUnitStyle::kKeepUnits),
            "cpu_percent");
}

TEST(PrometheusTextTest, CountersGaugesAndEscaping) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "custom.googleapis.com/app/requests",
                            .description = "Requests\nhandled \\ total"})
               .value();
  c.Add(3, {{"path", "/a\"b\\c\nd"}});
  auto g = r.CreateGauge({.metric_type = "app/temp"}).value();
  g.Set(21.5);
  EXPECT_EQ(Expose(r),
            "# HELP app_requests_total Requests\\nhandled \\\\ total\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{path=\"/a\\\"b\\\\c\\nd\"} 3\n"
            "# HELP app_temp app/temp\n"
            "# TYPE app_temp gauge\n"
            "app_temp 21.5\n");
}

TEST(PrometheusTextTest, OpenMetricsHasUnitAndEof) {
  MetricRegistry r;
  auto c = r.CreateCounter({.metric_type = "app/sent", .unit = MetricUnit::kBytes}).value();
  c.Add(10);
  EXPECT_EQ(Expose(r, {.open_metrics = true}),
            "# HELP app_sent_bytes app/sent\n"
            "# TYPE app_sent_bytes counter\n"
            "# UNIT app_sent_bytes bytes\n"
            "app_sent_bytes_total 10\n"
            "# EOF\n");
}

TEST(PrometheusTextTest, ExplicitHistogramInBaseUnits) {
  MetricRegistry r;
  auto h = r.CreateHistogram({.metric_type = "app/latency", .unit = MetricUnit::kMilliseconds},
                             {.explicit_bounds = {10, 100}})
               .value();
  for (double v : {5.0, 50.0, 500.0}) h.Record(v);
  EXPECT_EQ(Expose(r),
            "# HELP app_latency_seconds app/latency\n"
            "# TYPE app_latency_seconds histogram\n"
            "app_latency_seconds_bucket{le=\"0.01\"} 1\n"
            "app_latency_seconds_bucket{le=\"0.1\"} 2\n"
            "app_latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "app_latency_seconds_sum 0.555\n"
            "app_latency_seconds_count 3\n");
}

TEST(PrometheusTextTest, ExponentialHistogramBucketsAreContiguous) {
  MetricRegistry r;
  auto h = r.CreateHistogram({.metric_type = "app/size"}, {.max_scale = 0}).value();
  for (double v : {3.0, 3.0, 12.0}) h.Record(v);
  // Scale 0: buckets (2,4], (4,8], (8,16]; the lower edge of the first is written too.
  EXPECT_EQ(Expose(r),
            "# HELP app_size app/size\n"
            "# TYPE app_size histogram\n"
            "app_size_bucket{le=\"2\"} 0\n"
            "app_size_bucket{le=\"4\"} 2\n"
            "app_size_bucket{le=\"8\"} 2\n"
            "app_size_bucket{le=\"16\"} 3\n"
            "app_size_bucket{le=\"+Inf\"} 3\n"
            "app_size_sum 18\n"
            "app_size_count 3\n");
}

TEST(PrometheusTextTest, WrittenDistributionBecomesSummary) {
  MetricRegistry r;
  DistributionValue d{.count = 1000, .mean = 150, .percentiles = {{"p50", 120}, {"p99", 500}}};
  ASSERT_TRUE(r.WritePoint("custom.googleapis.com/app/lat", MetricValue(d), LabelSet(), 1).ok());
  EXPECT_EQ(Expose(r),
            "# HELP app_lat custom.googleapis.com/app/lat\n"
            "# TYPE app_lat summary\n"
            "app_lat{quantile=\"0.5\"} 120\n"
            "app_lat{quantile=\"0.99\"} 500\n"
            "app_lat_sum 150000\n"
            "app_lat_count 1000\n");
}

TEST(PrometheusTextTest, SameNameTwiceKeepsTheFirst) {
  MetricRegistry r;
  r.CreateGauge({.metric_type = "custom.googleapis.com/x"}).value().Set(1);
  r.CreateGauge({.metric_type = "workload.googleapis.com/x"}).value().Set(2);
  EXPECT_EQ(Expose(r), "# HELP x custom.googleapis.com/x\n# TYPE x gauge\nx 1\n");
}

}  // namespace
}  // namespace tai

namespace tai {
namespace {

TEST(PrometheusTextTest, SeriesOfOneHistogramShareTheirBoundaries) {
  MetricRegistry r;
  auto h = r.CreateHistogram({.metric_type = "app/lat"}, {.max_scale = 1}).value();
  h.Record(1.5, {{"route", "a"}});
  h.Record(40, {{"route", "b"}});
  std::string text = Expose(r);
  auto les = [&](const std::string& route) {
    std::vector<std::string> out;
    std::string prefix = "app_lat_bucket{route=\"" + route + "\",le=\"";
    for (size_t pos = text.find(prefix); pos != std::string::npos;
         pos = text.find(prefix, pos + 1)) {
      size_t start = pos + prefix.size();
      out.push_back(text.substr(start, text.find('"', start) - start));
    }
    return out;
  };
  EXPECT_EQ(les("a"), les("b"));
  EXPECT_GE(les("a").size(), 10u);  // contiguous from 1.5 up to 40 at scale 1
}

}  // namespace
}  // namespace tai

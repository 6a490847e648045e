#include <gtest/gtest.h>

#include "store/store_testing.h"
#include "tai/dashboard/dashboard_config.h"

namespace tai {
namespace {

std::shared_ptr<const MetricDescriptor> Desc(const std::string& type, MetricType kind,
                                             const std::string& unit = "1") {
  return std::make_shared<const MetricDescriptor>(
      MetricDescriptor{.metric_type = type, .value_type = kind, .unit = MetricUnit(unit)});
}

std::vector<std::string> Queries(const DashboardRow& row) {
  std::vector<std::string> out;
  for (const DashboardPanel& p : row.panels) out.push_back(p.query);
  return out;
}

// What a checkout service records, stored, read back and made a dashboard.
TEST(DefaultDashboardTest, GoldenSignalsFromARealStore) {
  testing::TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  HistogramData latency;
  latency.Record(12);
  const int64_t now = testing::kBaseTime;
  LabelSet labels({{"route", "/pay"}});
  auto counter = [&](const char* name, double v) {
    return testing::OneMetric(Desc(name, MetricType::kCumulative), InstrumentKind::kCounter,
                              {testing::Point(labels, now, v)});
  };
  auto gauge = [&](const char* name, double v, const char* unit) {
    return testing::OneMetric(Desc(name, MetricType::kGauge, unit), InstrumentKind::kGauge,
                              {testing::Point(labels, now, v)});
  };
  (*store)->AddMetrics(testing::Batch(
      {testing::OneMetric(Desc("checkout/request_latency", MetricType::kDistribution, "ms"),
                          InstrumentKind::kHistogram,
                          {testing::Point(labels, now, testing::Distribution(latency))}),
       counter("checkout/requests", 10), counter("checkout/errors", 1),
       counter("inventory/lookups", 3), gauge("process/memory_rss", 1e6, "By"),
       gauge("inventory/stock", 5, "1"), gauge("cache.size", 2, "1")},
      now));
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(30)).ok());
  auto metrics = (*store)->MetricSummaries();
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  ASSERT_EQ(metrics->size(), 7u);
  EXPECT_EQ(metrics->front(), (MetricSummary{"cache.size", MetricType::kGauge, "1"}));
  EXPECT_EQ((*metrics)[1], (MetricSummary{"checkout/errors", MetricType::kCumulative, "1"}));
  EXPECT_EQ((*metrics)[2],
            (MetricSummary{"checkout/request_latency", MetricType::kDistribution, "ms"}));

  const DashboardConfig d = DefaultDashboard("checkout", *metrics);
  EXPECT_EQ(d.title, "checkout");
  std::vector<std::string> rows;
  for (const DashboardRow& r : d.rows) rows.push_back(r.title);
  EXPECT_EQ(rows, (std::vector<std::string>{"Latency", "Traffic", "Errors", "Saturation", "cache",
                                            "inventory"}));
  EXPECT_EQ(Queries(d.rows[0]),
            (std::vector<std::string>{"percentile(checkout/request_latency, 50)",
                                      "percentile(checkout/request_latency, 95)",
                                      "percentile(checkout/request_latency, 99)"}));
  EXPECT_EQ(d.rows[0].panels[2].unit, "ms");
  EXPECT_EQ(Queries(d.rows[1]), std::vector<std::string>{"rate(checkout/requests)"});
  EXPECT_EQ(Queries(d.rows[2]),
            (std::vector<std::string>{"rate(checkout/errors)",
                                      "rate(checkout/errors) / rate(checkout/requests) * 100"}));
  EXPECT_EQ(d.rows[2].panels[1].unit, "%");
  EXPECT_EQ(Queries(d.rows[3]), std::vector<std::string>{"process/memory_rss"});
  EXPECT_EQ(Queries(d.rows[5]),
            (std::vector<std::string>{"rate(inventory/lookups)", "inventory/stock"}));
  // Every panel's query is parsed, and the same input gives the same file.
  for (const DashboardRow& r : d.rows) {
    for (const DashboardPanel& p : r.panels) EXPECT_FALSE(p.parsed.numerator.metric.empty());
  }
  std::vector<MetricSummary> reversed(metrics->rbegin(), metrics->rend());
  EXPECT_EQ(DashboardConfigToJson(DefaultDashboard("checkout", reversed)),
            DashboardConfigToJson(d));
  // And it is a valid dashboard file.
  EXPECT_TRUE(ParseDashboardConfig(DashboardConfigToJson(d), "default.json").ok());
}

// What Observability records without hand work (HTTP and process metrics)
// fills the four golden-signal rows.
TEST(DefaultDashboardTest, TheLibrarysOwnGoldenSignalsFillTheRows) {
  const DashboardConfig d =
      DefaultDashboard("pay", {{"http.server.request.duration", MetricType::kDistribution, "s"},
                               {"http.server.requests", MetricType::kCumulative, "{request}"},
                               {"http.server.request.errors", MetricType::kCumulative, "{request}"},
                               {"process.cpu.time", MetricType::kCumulative, "s"},
                               {"process.memory.usage", MetricType::kGauge, "By"},
                               {"tai_export_queue_depth", MetricType::kGauge, "1"},
                               {"tai_span_export_errors", MetricType::kCumulative, "1"}});
  std::vector<std::string> rows;
  for (const DashboardRow& r : d.rows) rows.push_back(r.title);
  ASSERT_EQ(rows, (std::vector<std::string>{"Latency", "Traffic", "Errors", "Saturation",
                                            "Library health (tai_*)"}));
  EXPECT_EQ(Queries(d.rows[4]),
            (std::vector<std::string>{"tai_export_queue_depth", "rate(tai_span_export_errors)"}));
  EXPECT_EQ(Queries(d.rows[0]).back(), "percentile(http.server.request.duration, 99)");
  EXPECT_EQ(Queries(d.rows[1]), std::vector<std::string>{"rate(http.server.requests)"});
  EXPECT_EQ(Queries(d.rows[2]).back(),
            "rate(http.server.request.errors) / rate(http.server.requests) * 100");
  EXPECT_EQ(Queries(d.rows[3]),
            (std::vector<std::string>{"rate(process.cpu.time)", "process.memory.usage"}));
}

TEST(DefaultDashboardTest, NoMetricsNoRows) {
  EXPECT_TRUE(DefaultDashboard("idle", {}).rows.empty());
}

}  // namespace
}  // namespace tai

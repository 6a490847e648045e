#include "tai/dashboard/dashboard_export.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace tai {
namespace {

DashboardPanel Panel(const std::string& title, const std::string& query,
                     Visualization v = Visualization::kTimeSeries) {
  DashboardPanel p;
  p.title = title;
  p.query = query;
  p.visualization = v;
  if (IsMetricVisualization(v)) p.parsed = *ParsePanelQuery(query);
  return p;
}

MetricExportInfo Metrics() {
  MetricExportInfo info;
  info.descriptors = {{.metric_type = "checkout/latency",
                       .value_type = MetricType::kDistribution,
                       .unit = MetricUnit::kMilliseconds},
                      {.metric_type = "checkout/requests", .value_type = MetricType::kCumulative},
                      {.metric_type = "checkout/errors", .value_type = MetricType::kCumulative},
                      {.metric_type = "host/cpu", .value_type = MetricType::kGauge}};
  return info;
}

TEST(DashboardExportTest, PromQLUsesTheExposedNamesAndTheMetricsUnit) {
  DashboardGrafanaExportOptions o;
  o.metrics = Metrics();
  auto p99 = PanelPromQL(Panel("p99", "percentile(checkout/latency, 99)"), o);
  ASSERT_TRUE(p99.ok()) << p99.status().ToString();
  // Exposed in seconds; the panel reads milliseconds as the file does.
  EXPECT_EQ(*p99,
            "(histogram_quantile(0.99, sum by (le) "
            "(rate(checkout_latency_seconds_bucket[$__rate_interval])))) * 1000");
  auto ratio = PanelPromQL(Panel("e", "rate(checkout/errors) / rate(checkout/requests) * 100"), o);
  ASSERT_TRUE(ratio.ok());
  EXPECT_EQ(*ratio,
            "((sum(rate(checkout_errors_total[$__rate_interval]))) / "
            "(sum(rate(checkout_requests_total[$__rate_interval])))) * 100");
  DashboardPanel grouped = Panel("cpu", "max(host/cpu)");
  grouped.group_by = {"host"};
  grouped.matchers = {{"zone", LabelMatcher::Op::kRegex, "eu-.*"}};
  EXPECT_EQ(*PanelPromQL(grouped, o), "max by (host) (host_cpu{zone=~\"eu-.*\"})");
  auto not_counter = PanelPromQL(Panel("x", "rate(host/cpu)"), o);
  ASSERT_FALSE(not_counter.ok());
  EXPECT_NE(not_counter.status().message().find("'host/cpu' is not a counter"), std::string::npos);
}

DashboardConfig Example() {
  DashboardConfig c;
  c.title = "Payment Service";
  DashboardPanel lat = Panel("Latency (p99)", "percentile(checkout/latency, 99)");
  lat.threshold = 500;
  lat.alert_if_exceeds = true;
  lat.metric = "custom.googleapis.com/app/latency";
  DashboardPanel err = Panel("Error Rate", "rate(checkout/errors) / rate(checkout/requests) * 100",
                             Visualization::kStat);
  err.threshold = 0.1;
  err.alert_if_exceeds = true;
  DashboardPanel cpu = Panel("CPU", "host/cpu", Visualization::kGauge);
  cpu.max = 4;
  c.rows = {{"SLO Status", {lat, err, cpu}},
            {"Debug",
             {Panel("Errors", "severity>=ERROR", Visualization::kLogs),
              Panel("Latency", "checkout/latency", Visualization::kHeatmap)}}};
  return c;
}

TEST(DashboardExportTest, GrafanaShape) {
  DashboardGrafanaExportOptions o;
  o.metrics = Metrics();
  auto out = ExportGrafanaDashboard(Example(), o);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto j = nlohmann::json::parse(*out);
  EXPECT_EQ(j["title"], "Payment Service");
  EXPECT_EQ(j["refresh"], "30s");
  EXPECT_EQ(j["schemaVersion"], 39);
  const auto& panels = j["panels"];
  ASSERT_EQ(panels.size(), 7u);
  EXPECT_EQ(panels[0]["type"], "row");
  EXPECT_EQ(panels[1]["type"], "timeseries");
  EXPECT_EQ(panels[1]["gridPos"]["w"], 8);
  EXPECT_EQ(panels[1]["fieldConfig"]["defaults"]["unit"], "ms");
  const auto& steps = panels[1]["fieldConfig"]["defaults"]["thresholds"]["steps"];
  EXPECT_EQ(steps[1]["value"], 500);
  EXPECT_EQ(steps[1]["color"], "red");
  EXPECT_EQ(panels[2]["type"], "stat");
  EXPECT_EQ(panels[3]["type"], "gauge");
  EXPECT_EQ(panels[3]["fieldConfig"]["defaults"]["max"], 4);
  EXPECT_EQ(panels[5]["type"], "text");
  EXPECT_NE(panels[5]["options"]["content"].get<std::string>().find(kDefaultLocalDashboardUrl),
            std::string::npos);
  EXPECT_EQ(panels[6]["type"], "heatmap");
  EXPECT_EQ(panels[6]["targets"][0]["format"], "heatmap");
  std::set<int> ids;
  for (const auto& p : panels) ids.insert(p["id"].get<int>());
  EXPECT_EQ(ids.size(), panels.size());
}

TEST(DashboardExportTest, CloudMonitoringShape) {
  DashboardCloudExportOptions o;
  o.metrics = Metrics();
  auto out = ExportCloudMonitoringDashboard(Example(), o);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto j = nlohmann::json::parse(*out);
  EXPECT_EQ(j["displayName"], "Payment Service");
  const auto& tiles = j["mosaicLayout"]["tiles"];
  ASSERT_EQ(tiles.size(), 7u);
  EXPECT_TRUE(tiles[0]["widget"].contains("collapsibleGroup"));
  const auto& lat = tiles[1]["widget"]["xyChart"];
  const auto& filter = lat["dataSets"][0]["timeSeriesQuery"]["timeSeriesFilter"];
  // The panel's `metric` names the Cloud Monitoring type.
  EXPECT_EQ(filter["filter"], "metric.type = \"custom.googleapis.com/app/latency\"");
  EXPECT_EQ(filter["aggregation"]["crossSeriesReducer"], "REDUCE_PERCENTILE_99");
  EXPECT_EQ(lat["thresholds"][0]["value"], 500);
  EXPECT_EQ(lat["thresholds"][0]["direction"], "ABOVE");
  const auto& err = tiles[2]["widget"]["scorecard"];
  const auto& ratio = err["timeSeriesQuery"]["timeSeriesFilterRatio"];
  EXPECT_EQ(ratio["numerator"]["filter"],
            "metric.type = \"custom.googleapis.com/checkout/errors\"");
  // The ratio is plotted without its "* 100"; the threshold follows.
  EXPECT_DOUBLE_EQ(err["thresholds"][0]["value"].get<double>(), 0.001);

  DashboardConfig odd;
  odd.title = "x";
  odd.rows = {{"r", {Panel("p90", "percentile(checkout/latency, 90)")}}};
  auto refused = ExportCloudMonitoringDashboard(odd, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("row 'r' (#1): panel 'p90' (#1): query: Cloud "
                                            "Monitoring aligns to the percentiles"),
            std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace tai

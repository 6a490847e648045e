// Every exported Cloud Monitoring dashboard body checked against Google's
// dashboard.proto (google.monitoring.dashboard.v1.Dashboard, unknown fields
// and wrong enum values rejected): every query function and visualization,
// ratios, grouping and matchers, and the default dashboard.
#include "tai/dashboard/dashboard_export.h"

#include <gtest/gtest.h>

#include "tests/gcp_emulator/proto_json_validator.h"

namespace tai {
namespace {

constexpr const char* kDashboardType = "google.monitoring.dashboard.v1.Dashboard";

DashboardPanel Panel(std::string title, std::string query, Visualization v) {
  DashboardPanel p;
  p.title = std::move(title);
  p.query = std::move(query);
  p.visualization = v;
  if (IsMetricVisualization(v)) p.parsed = *ParsePanelQuery(p.query);
  return p;
}

DashboardConfig EveryPanel() {
  const char* queries[] = {"checkout/latency",
                           "rate(checkout/requests)",
                           "increase(checkout/errors)",
                           "avg(host/cpu)",
                           "max(host/cpu)",
                           "min(host/cpu)",
                           "sum(host/cpu)",
                           "percentile(checkout/latency, 5)",
                           "percentile(checkout/latency, 50)",
                           "percentile(host/cpu, 95)",
                           "percentile(checkout/latency, 99)",
                           "rate(checkout/errors) / rate(checkout/requests) * 100",
                           "workload.googleapis.com/q/depth / 2"};
  DashboardConfig c;
  c.title = "Every panel";
  c.refresh_interval = std::chrono::minutes(1);
  int n = 0;
  for (Visualization v :
       {Visualization::kTimeSeries, Visualization::kStat, Visualization::kGauge}) {
    DashboardRow row{std::string(VisualizationName(v)), {}};
    for (const char* q : queries) {
      DashboardPanel p = Panel("panel " + std::to_string(n), q, v);
      if (n % 2) {
        p.threshold = 0.5 * n;
        p.alert_if_exceeds = n % 4 == 1;
      }
      if (n % 3 == 1) p.group_by = {"route", "code"};
      if (n % 3 == 2) {
        p.matchers = {{"route", LabelMatcher::Op::kNotRegex, "/health.*"},
                      {"code", LabelMatcher::Op::kNotEqual, "200"},
                      {"zone", LabelMatcher::Op::kEqual, "eu"},
                      {"pod", LabelMatcher::Op::kRegex, "web-.*"}};
      }
      if (n % 5 == 0) p.unit = "ms";
      if (n % 7 == 0) p.metric = "custom.googleapis.com/app/latency";
      row.panels.push_back(std::move(p));
      ++n;
    }
    c.rows.push_back(std::move(row));
  }
  c.rows.push_back({"local",
                    {Panel("heat", "checkout/latency", Visualization::kHeatmap),
                     Panel("logs", "severity>=ERROR", Visualization::kLogs),
                     Panel("traces", "checkout", Visualization::kTraces),
                     Panel("flame", "", Visualization::kFlameGraph)}});
  return c;
}

class DashboardProtoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto v = testing::ProtoJsonValidator::Load(testing::GoogleProtoRoot(),
                                               {"google/monitoring/dashboard/v1/dashboard.proto"});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    validator_ = std::move(*v);
    options_.metrics.descriptors = {
        {.metric_type = "checkout/latency",
         .value_type = MetricType::kDistribution,
         .unit = MetricUnit::kMilliseconds},
        {.metric_type = "checkout/requests", .value_type = MetricType::kCumulative},
        {.metric_type = "checkout/errors", .value_type = MetricType::kCumulative}};
    options_.resource_filter = "resource.type = \"k8s_container\"";
  }
  std::unique_ptr<testing::ProtoJsonValidator> validator_;
  DashboardCloudExportOptions options_;
};

TEST_F(DashboardProtoTest, EveryPanelIsAValidDashboard) {
  auto body = ExportCloudMonitoringDashboard(EveryPanel(), options_);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  Status s = validator_->Check(kDashboardType, *body);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << *body;
  // The check has teeth: a misspelt enum value is refused.
  std::string bad = *body;
  const size_t at = bad.find("REDUCE_PERCENTILE_99");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 20, "REDUCE_PERCENTILE_98");
  EXPECT_FALSE(validator_->Check(kDashboardType, bad).ok());
}

TEST_F(DashboardProtoTest, TheDesignsExampleAndTheDefaultDashboardAreValid) {
  auto design = ParseDashboardConfig(R"j({"title": "Payment Service", "refresh_interval": "30s",
    "rows": [{"title": "SLO Status", "panels": [
      {"title": "Latency (p99)", "metric": "custom.googleapis.com/app/latency",
       "query": "percentile(request_latency_ms, 99)", "threshold": 500, "alert_if_exceeds": true},
      {"title": "Error Rate", "metric": "custom.googleapis.com/app/error_rate",
       "query": "errors / total_requests * 100", "threshold": 0.1,
       "alert_if_exceeds": true}]}]})j",
                                     "payments.json");
  ASSERT_TRUE(design.ok()) << design.status().ToString();
  const DashboardConfig standard =
      DefaultDashboard("checkout", {{"checkout/errors", MetricType::kCumulative, "1"},
                                    {"checkout/request_latency", MetricType::kDistribution, "ms"},
                                    {"checkout/requests", MetricType::kCumulative, "1"},
                                    {"process/memory_rss", MetricType::kGauge, "By"},
                                    {"inventory/stock", MetricType::kGauge, "1"}});
  for (const DashboardConfig* c : {static_cast<const DashboardConfig*>(&*design), &standard}) {
    auto body = ExportCloudMonitoringDashboard(*c, options_);
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    Status s = validator_->Check(kDashboardType, *body);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << *body;
  }
}

}  // namespace
}  // namespace tai

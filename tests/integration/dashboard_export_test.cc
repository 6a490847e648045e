// Dashboard exports checked by real consumers: every PromQL expression of a
// Grafana export is parsed by `promtool check rules` (as recording rules),
// and `taiobs dashboard check|export` behave as CI uses them.
#include "tai/dashboard/dashboard_export.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "store/store_testing.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using testing::RunWithInput;
using testing::TempDir;

constexpr const char* kPromtool = "/usr/bin/promtool";

// Every function, a ratio, grouping and matchers, over each metric kind.
constexpr const char* kDashboard = R"j({
  "title": "Payment Service", "refresh_interval": "30s",
  "rows": [
    {"title": "SLO Status", "panels": [
      {"title": "Latency (p99)", "metric": "custom.googleapis.com/app/latency",
       "query": "percentile(request_latency_ms, 99)", "threshold": 500, "alert_if_exceeds": true},
      {"title": "Error Rate", "metric": "custom.googleapis.com/app/error_rate",
       "query": "errors / total_requests * 100", "threshold": 0.1, "alert_if_exceeds": true,
       "visualization": "stat"}]},
    {"title": "Everything", "panels": [
      {"title": "rate", "query": "rate(checkout/requests)", "group_by": ["route"],
       "matchers": ["route=~\"/pay|/refund\"", "code!=\"200\""]},
      {"title": "increase", "query": "increase(checkout/errors)"},
      {"title": "ratio", "query": "rate(checkout/errors) / rate(checkout/requests) * 100",
       "group_by": ["route"], "unit": "%"},
      {"title": "p50", "query": "percentile(checkout/latency, 50)", "group_by": ["route"]},
      {"title": "gauge p95", "query": "percentile(host/cpu, 95)"},
      {"title": "avg", "query": "avg(checkout/latency)"},
      {"title": "sum", "query": "sum(host/cpu)", "visualization": "gauge", "max": 8},
      {"title": "max", "query": "max(host/cpu)"},
      {"title": "min", "query": "min(host/cpu) / 4"},
      {"title": "last", "query": "host/cpu"},
      {"title": "heat", "query": "checkout/latency", "visualization": "heatmap"},
      {"title": "logs", "query": "severity>=ERROR", "visualization": "logs"}]}]})j";

MetricExportInfo Metrics() {
  MetricExportInfo info;
  info.descriptors = {{.metric_type = "checkout/latency",
                       .value_type = MetricType::kDistribution,
                       .unit = MetricUnit::kMilliseconds},
                      {.metric_type = "checkout/requests", .value_type = MetricType::kCumulative},
                      {.metric_type = "checkout/errors", .value_type = MetricType::kCumulative},
                      {.metric_type = "errors", .value_type = MetricType::kCumulative},
                      {.metric_type = "total_requests", .value_type = MetricType::kCumulative},
                      {.metric_type = "host/cpu", .value_type = MetricType::kGauge}};
  return info;
}

class DashboardIntegrationTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  int Run(std::vector<std::string> args, std::string* out) {
    out->clear();
    args.insert(args.begin(), TAI_TAIOBS_PATH);
    return RunWithInput(args, "", out);
  }
  TempDir dir_;
};

TEST_F(DashboardIntegrationTest, PromtoolParsesEveryGrafanaExpression) {
  auto config = ParseDashboardConfig(kDashboard, "payments.json");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  DashboardGrafanaExportOptions o;
  o.metrics = Metrics();
  auto exported = ExportGrafanaDashboard(*config, o);
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  // The expressions as Grafana sends them, with $__rate_interval replaced
  // by a duration as Grafana does before the query leaves it.
  std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
  int n = 0;
  const auto dashboard = nlohmann::json::parse(*exported);
  for (const auto& panel : dashboard["panels"]) {
    if (!panel.contains("targets")) continue;
    std::string expr = panel["targets"][0]["expr"];
    for (size_t at; (at = expr.find("$__rate_interval")) != std::string::npos;) {
      expr.replace(at, 16, "2m");
    }
    nlohmann::json quoted = expr;
    rules += "      - record: dashboard:panel" + std::to_string(n++) +
             "\n        expr: " + quoted.dump() + "\n";
  }
  EXPECT_EQ(n, 13);
  const std::string path = Write("dashboard_rules.yml", rules);
  std::string output;
  EXPECT_EQ(RunWithInput({kPromtool, "check", "rules", path}, "", &output), 0) << output << "\n"
                                                                               << rules;
  // The check has teeth: an expression with a stray bracket is refused.
  const std::string bad =
      Write("bad_rules.yml", rules + "      - record: dashboard:bad\n        expr: sum(x))\n");
  EXPECT_NE(RunWithInput({kPromtool, "check", "rules", bad}, "", &output), 0) << output;
}

TEST_F(DashboardIntegrationTest, TaiobsChecksAGoodFile) {
  std::string out;
  EXPECT_EQ(Run({"dashboard", "check", Write("payments.json", kDashboard)}, &out), 0) << out;
  EXPECT_EQ(out, "ok: 2 rows, 14 panels\n");
}

TEST_F(DashboardIntegrationTest, TaiobsListsEveryErrorOfABadFile) {
  const std::string path =
      Write("bad.json", R"j({"title": "T", "rows": [{"title": "SLO Status", "panels": [
      {"title": "Latency (p99)", "query": "percentile(x, 99)", "threshold": "high"},
      {"title": "Errors", "query": "rate(x", "colour": "red"}]}]})j");
  std::string out;
  EXPECT_EQ(Run({"dashboard", "check", path}, &out), 1);
  EXPECT_NE(
      out.find(path + ": row 'SLO Status' (#1): panel 'Latency (p99)' (#1): field 'threshold': "
                      "expected a number, got \"high\""),
      std::string::npos)
      << out;
  EXPECT_NE(out.find(path + ": row 'SLO Status' (#1): panel 'Errors' (#2): field 'colour': "
                            "unknown field"),
            std::string::npos)
      << out;
  EXPECT_EQ(Run({"dashboard", "check", dir_.path() + "/missing.json"}, &out), 1);
  EXPECT_NE(out.find("missing.json"), std::string::npos) << out;
}

TEST_F(DashboardIntegrationTest, TaiobsExportsBothFormats) {
  const std::string file = Write("payments.json", kDashboard);
  std::string out;
  ASSERT_EQ(Run({"dashboard", "export", "--format", "grafana", file}, &out), 0) << out;
  EXPECT_EQ(nlohmann::json::parse(out)["title"], "Payment Service");
  const std::string target = dir_.path() + "/cloud.json";
  ASSERT_EQ(Run({"dashboard", "export", "--format", "cloud-monitoring", file, "-o", target}, &out),
            0)
      << out;
  std::ifstream in(target);
  auto cloud = nlohmann::json::parse(in);
  EXPECT_EQ(cloud["displayName"], "Payment Service");
  EXPECT_EQ(cloud["mosaicLayout"]["columns"], 48);
}

// With --store the kinds and units come from what the service recorded: a
// millisecond histogram is read in seconds and multiplied back.
TEST_F(DashboardIntegrationTest, TaiobsExportReadsKindsAndUnitsFromAStore) {
  const std::string db = dir_.path() + "/checkout.db";
  {
    auto store = Store::Open({.path = db});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    HistogramData h;
    h.Record(12);
    auto d = std::make_shared<const MetricDescriptor>(
        MetricDescriptor{.metric_type = "checkout/latency",
                         .value_type = MetricType::kDistribution,
                         .unit = MetricUnit::kMilliseconds});
    (*store)->AddMetrics(testing::Batch(
        {testing::OneMetric(d, InstrumentKind::kHistogram,
                            {testing::Point({}, testing::kBaseTime, testing::Distribution(h))})},
        testing::kBaseTime));
    ASSERT_TRUE((*store)->Flush(std::chrono::seconds(30)).ok());
  }
  const std::string file = Write("d.json",
                                 R"j({"title": "T", "rows": [{"title": "R", "panels": [
        {"title": "avg", "query": "avg(checkout/latency)"}]}]})j");
  std::string out;
  ASSERT_EQ(Run({"dashboard", "export", "--format", "grafana", "--store", db, file}, &out), 0)
      << out;
  const auto panel = nlohmann::json::parse(out)["panels"][1];
  EXPECT_EQ(panel["targets"][0]["expr"],
            "(sum(rate(checkout_latency_seconds_sum[$__rate_interval])) / "
            "sum(rate(checkout_latency_seconds_count[$__rate_interval]))) * 1000");
  EXPECT_EQ(panel["fieldConfig"]["defaults"]["unit"], "ms");
  EXPECT_EQ(Run({"dashboard", "export", "--format", "grafana", "--store",
                 dir_.path() + "/none/x.db", file},
                &out),
            1);
}

TEST_F(DashboardIntegrationTest, TaiobsBadUsageExits2) {
  std::string out;
  EXPECT_EQ(Run({"dashboard"}, &out), 2);
  EXPECT_EQ(Run({"dashboard", "check"}, &out), 2);
  EXPECT_EQ(Run({"dashboard", "export", "--format", "png", "f.json"}, &out), 2);
  EXPECT_NE(out.find("usage: taiobs dashboard"), std::string::npos) << out;
}

}  // namespace
}  // namespace tai

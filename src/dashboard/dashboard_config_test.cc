#include "tai/dashboard/dashboard_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/temp_dir_testing.h"

namespace tai {
namespace {

constexpr const char* kDesignExample = R"j({
  "title": "Payment Service",
  "refresh_interval": "30s",
  "rows": [
    {
      "title": "SLO Status",
      "panels": [
        {
          "title": "Latency (p99)",
          "metric": "custom.googleapis.com/app/latency",
          "query": "percentile(request_latency_ms, 99)",
          "threshold": 500,
          "alert_if_exceeds": true
        },
        {
          "title": "Error Rate",
          "metric": "custom.googleapis.com/app/error_rate",
          "query": "errors / total_requests * 100",
          "threshold": 0.1,
          "alert_if_exceeds": true
        }
      ]
    }
  ]
})j";

TEST(DashboardConfigTest, ParsesTheOriginalDesignsExample) {
  auto c = ParseDashboardConfig(kDesignExample, "payments.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->title, "Payment Service");
  EXPECT_EQ(c->refresh_interval, std::chrono::seconds(30));
  ASSERT_EQ(c->rows.size(), 1u);
  ASSERT_EQ(c->rows[0].panels.size(), 2u);
  const DashboardPanel& p = c->rows[0].panels[0];
  EXPECT_EQ(p.metric, "custom.googleapis.com/app/latency");
  EXPECT_EQ(p.parsed.numerator.function, QueryFunction::kPercentile);
  EXPECT_EQ(p.threshold, 500);
  EXPECT_TRUE(p.alert_if_exceeds);
  EXPECT_EQ(p.visualization, Visualization::kTimeSeries);
  EXPECT_EQ(c->rows[0].panels[1].parsed.scale, 100);
  EXPECT_EQ(PanelCount(*c), 2u);
}

TEST(DashboardConfigTest, RoundTripsThroughJson) {
  auto c = ParseDashboardConfig(R"j({"title": "T", "refresh_interval": "2m", "rows": [
    {"title": "R", "panels": [
      {"title": "a", "query": "rate(http/requests)", "visualization": "stat", "unit": "1/s",
       "matchers": ["route=\"/pay\"", "code!~\"2\\d\\d\""], "group_by": ["route"]},
      {"title": "g", "query": "cpu", "visualization": "gauge", "max": 4, "threshold": 3.5},
      {"title": "logs", "query": "severity>=ERROR", "visualization": "logs"}]}]})j",
                                "t.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::string json = DashboardConfigToJson(*c);
  auto again = ParseDashboardConfig(json, "again.json");
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << json;
  EXPECT_EQ(DashboardConfigToJson(*again), json);
  EXPECT_EQ(again->refresh_interval, std::chrono::minutes(2));
  const DashboardPanel& a = again->rows[0].panels[0];
  ASSERT_EQ(a.matchers.size(), 2u);
  EXPECT_EQ(a.matchers[1].op, LabelMatcher::Op::kNotRegex);
  EXPECT_EQ(a.matchers[1].value, "2\\d\\d");
  EXPECT_EQ(a.group_by, std::vector<std::string>{"route"});
  EXPECT_EQ(again->rows[0].panels[1].max, 4);
  EXPECT_EQ(again->rows[0].panels[2].visualization, Visualization::kLogs);
}

TEST(DashboardConfigTest, EveryErrorNamesFileRowPanelAndField) {
  auto c = ParseDashboardConfig(R"j({"title": "T", "colour": 1, "rows": [
    {"title": "SLO Status", "panels": [
      {"title": "Latency (p99)", "query": "percentile(x, 99)", "threshold": "high"},
      {"title": "Errors", "query": "rate(x", "alert_if_exceeds": "yes"},
      {"title": "V", "query": "x", "visualization": "pie", "extra": 1}]},
    {"panels": [{"query": "x"}]}]})j",
                                "payments.json");
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  for (const char* want : {
           "payments.json: field 'colour': unknown field",
           "payments.json: row 'SLO Status' (#1): panel 'Latency (p99)' (#1): field 'threshold': "
           "expected a number, got \"high\"",
           "payments.json: row 'SLO Status' (#1): panel 'Errors' (#2): field 'query': column 7: "
           "expected ')' after the metric name, got the end",
           "payments.json: row 'SLO Status' (#1): panel 'Errors' (#2): field 'alert_if_exceeds': "
           "expected true or false, got \"yes\"",
           "payments.json: row 'SLO Status' (#1): panel 'V' (#3): field 'visualization': expected "
           "one of",
           "payments.json: row 'SLO Status' (#1): panel 'V' (#3): field 'extra': unknown field",
           "payments.json: row '' (#2): field 'title': missing",
           "payments.json: row '' (#2): panel '' (#1): field 'title': missing",
       }) {
    EXPECT_NE(m.find(want), std::string::npos) << "missing: " << want << "\nin:\n" << m;
  }
}

TEST(DashboardConfigTest, TopLevelErrors) {
  EXPECT_EQ(ParseDashboardConfig("{", "d.json").status().message(), "d.json: not valid JSON");
  auto c = ParseDashboardConfig(R"j({"title": "", "refresh_interval": "soon"})j", "d.json");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("d.json: field 'title': must not be empty"),
            std::string::npos);
  EXPECT_NE(c.status().message().find("d.json: field 'refresh_interval': "), std::string::npos);
  EXPECT_NE(c.status().message().find("d.json: field 'rows': missing"), std::string::npos);
}

TEST(DashboardConfigTest, LoadsAFileAndNamesIt) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/payments.json";
  std::ofstream(path) << kDesignExample;
  auto c = LoadDashboardConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->title, "Payment Service");
  auto missing = LoadDashboardConfig(dir.path() + "/none.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("none.json"), std::string::npos);
}

}  // namespace
}  // namespace tai

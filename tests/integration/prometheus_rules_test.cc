// The exported Prometheus rule file checked by the real consumer: `promtool
// check rules` accepts it, and `promtool test rules` runs it over series we
// generate (a clean service, then 2% errors against a 0.1% budget) and
// checks which alerts fire at which evaluation time.
#include <gtest/gtest.h>

#include <fstream>

#include "tai/alert/rule_export.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using testing::TempDir;

constexpr const char* kPromtool = "/usr/bin/promtool";

// The exposed bucket bound a 500 ms threshold becomes (2^(71/8) ms, in
// seconds; rule_export_test.cc checks the arithmetic).
constexpr const char* kLatencyLe = "0.46950607012079165";

std::vector<AlertingRule> Rules() {
  return {
      // Fires 5 minutes into the errors.
      AlertingRule{.id = "error-spike",
                   .metric_type = "checkout/errors",
                   .threshold = 50,
                   .evaluation_window_secs = 300,
                   .aggregation = WindowAggregation::kIncrease,
                   .labels = {{"severity", "warning"}}},
      // Traffic never drops: quiet.
      AlertingRule{.id = "traffic-drop",
                   .metric_type = "checkout/requests",
                   .threshold = 1,
                   .comparison_operator = ComparisonOperator::kLessThan,
                   .evaluation_window_secs = 600,
                   .trigger_count = 3,
                   .aggregation = WindowAggregation::kRate,
                   .annotations = {{"summary", "{{ $value }} requests/s on {{ $labels.route }}"}}},
  };
}

std::vector<Slo> Slos() {
  return {
      Slo{.window = std::chrono::hours(24 * 28),
          .error_budget = 0.001,
          .id = "checkout-errors",
          .kind = SliKind::kBadRatio,
          .bad_metric = "checkout/errors",
          .total_metric = "checkout/requests",
          .matchers = {{"route", LabelMatcher::Op::kEqual, "/pay"}}},
      // Every request fast: quiet.
      Slo{.metric = "checkout/latency", .threshold = 500, .error_budget = 0.01, .id = "latency"},
  };
}

PrometheusExportOptions Options() {
  PrometheusExportOptions o;
  o.metrics.descriptors = {{.metric_type = "checkout/latency",
                            .value_type = MetricType::kDistribution,
                            .unit = MetricUnit::kMilliseconds}};
  return o;
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

int Promtool(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv{kPromtool};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunWithInput(argv, "", output);
}

TEST(PrometheusRulesTest, PromtoolAcceptsTheExportedRuleFile) {
  auto text = ExportPrometheusRules(Rules(), Slos(), Options());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  TempDir dir;
  WriteFile(dir.path() + "/rules.yml", *text);
  std::string output;
  EXPECT_EQ(Promtool({"check", "rules", dir.path() + "/rules.yml"}, &output), 0) << output << "\n"
                                                                                 << *text;
  EXPECT_NE(output.find("SUCCESS"), std::string::npos) << output;
}

// The page alert's labels and annotations, as promtool expects them whole.
std::string BurnAlert(const char* long_window, const char* short_window, const char* factor,
                      const char* severity) {
  return std::string("          - exp_labels:\n              severity: ") + severity +
         "\n              slo: checkout-errors\n              long_window: " + long_window +
         "\n              short_window: " + short_window +
         "\n            exp_annotations:\n              summary: \"SLO checkout-errors: error "
         "budget burning faster than " +
         factor + "x over " + long_window + " and " + short_window + "\"\n";
}

std::string AlertTest(int minute, const std::string& name, const std::string& alerts) {
  return "      - eval_time: " + std::to_string(minute) + "m\n        alertname: \"" + name +
         "\"\n        exp_alerts:" + (alerts.empty() ? " []\n" : "\n" + alerts);
}

TEST(PrometheusRulesTest, BurnRateAlertsFireWhenTheErrorPatternSaysSo) {
  auto text = ExportPrometheusRules(Rules(), Slos(), Options());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  TempDir dir;
  WriteFile(dir.path() + "/rules.yml", *text);
  const std::string burn = "checkout-errors error budget burn";
  // 1000 requests a minute for 4 h; no errors for 2 h, then 20 a minute (2%,
  // 20x the budget). The 1 h error ratio passes 14.4 x 0.1% after 43.2 min
  // of errors; the 6 h one (over the 2-4 h of data) passes 6 x 0.1% once
  // errors make 30% of the minutes; the 3-day one passes 1 x at once.
  std::string test = "rule_files:\n  - rules.yml\nevaluation_interval: 1m\ntests:\n";
  test += "  - interval: 1m\n    input_series:\n";
  test +=
      "      - series: 'checkout_requests_total{route=\"/pay\"}'\n        values: '0+1000x240'\n";
  test +=
      "      - series: 'checkout_errors_total{route=\"/pay\"}'\n"
      "        values: '0+0x119 0+20x120'\n";
  test += std::string("      - series: 'checkout_latency_seconds_bucket{le=\"") + kLatencyLe +
          "\"}'\n        values: '0+100x240'\n";
  test += "      - series: 'checkout_latency_seconds_count'\n        values: '0+100x240'\n";
  test += "    alert_rule_test:\n";
  test += AlertTest(119, burn, "");
  test += AlertTest(150, burn, BurnAlert("3d", "6h", "1", "ticket"));
  test += AlertTest(160, burn, BurnAlert("3d", "6h", "1", "ticket"));
  test += AlertTest(168, burn,
                    BurnAlert("1h", "5m", "14.4", "page") + BurnAlert("3d", "6h", "1", "ticket"));
  test += AlertTest(200, burn,
                    BurnAlert("1h", "5m", "14.4", "page") + BurnAlert("6h", "30m", "6", "page") +
                        BurnAlert("3d", "6h", "1", "ticket"));
  test += AlertTest(119, "error-spike", "");
  test +=
      AlertTest(130, "error-spike", "          - exp_labels:\n              severity: warning\n");
  for (int minute : {119, 168, 239}) {
    test += AlertTest(minute, "traffic-drop", "");
    test += AlertTest(minute, "latency error budget burn", "");
  }
  WriteFile(dir.path() + "/test.yml", test);
  std::string output;
  EXPECT_EQ(Promtool({"test", "rules", dir.path() + "/test.yml"}, &output), 0) << output << "\n"
                                                                               << test << "\n"
                                                                               << *text;
  EXPECT_NE(output.find("SUCCESS"), std::string::npos) << output;
}

}  // namespace
}  // namespace tai

// The rule export's text, checked piece by piece; promtool and Google's
// alert.proto check the whole (tests/integration/prometheus_rules_test.cc,
// tests/gcp_emulator/alert_policy_export_test.cc).
#include "tai/alert/rule_export.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace tai {
namespace {

using std::chrono::minutes;

MetricDescriptor Latency() {
  return {.metric_type = "custom.googleapis.com/checkout/latency",
          .value_type = MetricType::kDistribution,
          .unit = MetricUnit::kMilliseconds};
}

std::vector<AlertingRule> Rules() {
  return {
      AlertingRule{.id = "slow-checkout",
                   .display_name = "Checkout p99 > 500ms",
                   .metric_type = "custom.googleapis.com/checkout/latency",
                   .threshold = 500,
                   .evaluation_window_secs = 300,
                   .trigger_count = 3,
                   .notification_channels = {"slack", "projects/p/notificationChannels/42"},
                   .aggregation = WindowAggregation::kP99,
                   .matchers = {{"route", LabelMatcher::Op::kRegex, "/pay.*"}},
                   .group_by = {"route"},
                   .labels = {{"severity", "page"}},
                   .annotations = {{"summary", "p99 of {{ $labels.route }} is {{ $value }}s"}}},
      AlertingRule{.id = "traffic-drop",
                   .metric_type = "checkout/requests",
                   .threshold = 1,
                   .comparison_operator = ComparisonOperator::kLessThan,
                   .evaluation_window_secs = 600,
                   .aggregation = WindowAggregation::kRate,
                   .interval = std::chrono::seconds(30)},
      AlertingRule{.id = "hot",
                   .metric_type = "host/temperature",
                   .threshold = 90,
                   .evaluation_window_secs = 60,
                   .aggregation = WindowAggregation::kMax,
                   .per_series = true,
                   .for_duration = minutes(10)},
  };
}

Slo ErrorSlo() {
  return Slo{.window = std::chrono::hours(24 * 28),
             .error_budget = 0.001,
             .id = "checkout-errors",
             .kind = SliKind::kBadRatio,
             .bad_metric = "checkout/errors",
             .total_metric = "checkout/requests",
             .matchers = {{"route", LabelMatcher::Op::kEqual, "/pay"}},
             .notification_channels = {"projects/p/notificationChannels/7"}};
}

Slo LatencySlo() {
  return Slo{.metric = "custom.googleapis.com/checkout/latency",
             .threshold = 500,
             .error_budget = 0.01,
             .id = "checkout-latency"};
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

PrometheusExportOptions PromOptions() {
  PrometheusExportOptions o;
  o.metrics.descriptors = {Latency()};
  return o;
}

TEST(PrometheusRuleExportTest, RulesBecomeAlertsInTheExpositionsNamesAndUnits) {
  auto text = ExportPrometheusRules(Rules(), {}, PromOptions());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  // ms -> seconds: the name gains _seconds and the threshold is scaled.
  EXPECT_TRUE(
      Contains(*text, R"(expr: "(histogram_quantile(0.99, sum by (le, route) )"
                      R"((rate(checkout_latency_seconds_bucket{route=~\"/pay.*\"}[5m])))) > 0.5")"))
      << *text;
  // Not described, used with rate: a counter, named with _total.
  EXPECT_TRUE(Contains(*text, R"(expr: "(sum(rate(checkout_requests_total[10m]))) < 1")"));
  EXPECT_TRUE(Contains(*text, R"(expr: "(max_over_time(host_temperature[1m])) > 90")"));
  // trigger_count 3 at 1 min: the condition must hold 2 min.
  EXPECT_TRUE(Contains(*text, "        for: 2m\n"));
  EXPECT_TRUE(Contains(*text, "        for: 10m\n"));
  EXPECT_TRUE(Contains(*text, R"("summary": "p99 of {{ $labels.route }} is {{ $value }}s")"));
  // One group per evaluation interval.
  EXPECT_TRUE(Contains(*text, "  - name: \"tai-rules-30s\"\n    interval: 30s\n"));
  EXPECT_TRUE(Contains(*text, "  - name: \"tai-rules-1m\"\n    interval: 1m\n"));
}

TEST(PrometheusRuleExportTest, AggregationsMapToPromQl) {
  AlertingRule r{.id = "r", .metric_type = "app/load", .evaluation_window_secs = 120};
  auto expr_of = [&](WindowAggregation a, std::vector<std::string> group_by = {}) {
    r.aggregation = a;
    r.group_by = std::move(group_by);
    auto text = ExportPrometheusRules({r}, {}, PromOptions());
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    const size_t at = text->find("expr: ");
    return text->substr(at + 6, text->find('\n', at) - at - 6);
  };
  EXPECT_EQ(expr_of(WindowAggregation::kMean), R"("(avg(avg_over_time(app_load[2m]))) > 0")");
  EXPECT_EQ(expr_of(WindowAggregation::kMin, {"host"}),
            R"("(min by (host) (min_over_time(app_load[2m]))) > 0")");
  EXPECT_EQ(expr_of(WindowAggregation::kLast), R"("(avg(last_over_time(app_load[2m]))) > 0")");
  EXPECT_EQ(expr_of(WindowAggregation::kIncrease), R"("(sum(increase(app_load_total[2m]))) > 0")");
  r.metric_type = "custom.googleapis.com/checkout/latency";
  EXPECT_EQ(expr_of(WindowAggregation::kMean),
            R"("(sum(rate(checkout_latency_seconds_sum[2m])) / )"
            R"(sum(rate(checkout_latency_seconds_count[2m]))) > 0")");
  EXPECT_EQ(expr_of(WindowAggregation::kCount),
            R"("(sum(increase(checkout_latency_seconds_count[2m]))) > 0")");
  r.per_series = true;
  EXPECT_EQ(expr_of(WindowAggregation::kP50),
            R"("(histogram_quantile(0.5, rate(checkout_latency_seconds_bucket[2m]))) > 0")");
}

TEST(PrometheusRuleExportTest, SloBecomesRecordingRulesAndMultiWindowBurnAlerts) {
  auto text = ExportPrometheusRules({}, {ErrorSlo()}, PromOptions());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  for (const char* w : {"5m", "30m", "1h", "6h", "3d"}) {
    EXPECT_TRUE(
        Contains(*text, std::string("- record: slo:checkout_errors:error_ratio_rate") + w + "\n"))
        << w;
  }
  EXPECT_TRUE(Contains(*text, R"(expr: "sum(rate(checkout_errors_total{route=\"/pay\"}[1h])) / )"
                              R"x(sum(rate(checkout_requests_total{route=\"/pay\"}[1h]))")x"));
  EXPECT_TRUE(Contains(*text,
                       R"(expr: "slo:checkout_errors:error_ratio_rate1h > (14.4 * 0.001) and )"
                       R"(slo:checkout_errors:error_ratio_rate5m > (14.4 * 0.001) and on() )"
                       R"(sum(increase(checkout_requests_total{route=\"/pay\"}[1h])) >= 100")"));
  EXPECT_TRUE(Contains(*text, "\"severity\": \"ticket\""));
  EXPECT_TRUE(Contains(*text, "\"long_window\": \"3d\""));
  Slo quiet = ErrorSlo();
  quiet.min_events = 0;
  auto no_guard = ExportPrometheusRules({}, {quiet}, PromOptions());
  ASSERT_TRUE(no_guard.ok());
  EXPECT_FALSE(Contains(*no_guard, "and on()"));
}

TEST(PrometheusRuleExportTest, LatencyThresholdBecomesAnExportedBucketBound) {
  // Exponential, scale 3: the largest 2^(i/8) <= 500 ms is 2^(71/8) ms.
  auto text = ExportPrometheusRules({}, {LatencySlo()}, PromOptions());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_TRUE(Contains(*text, R"(expr: "1 - (sum(rate(checkout_latency_seconds_bucket{)"
                              R"(le=\"0.46950607012079165\"}[1h])) / )"
                              R"x(sum(rate(checkout_latency_seconds_count[1h])))")x"))
      << *text;
  EXPECT_DOUBLE_EQ(0.46950607012079165, std::exp2(71.0 / 8) / 1000);
  // Explicit bounds: the threshold itself when it is one, else the largest
  // bound below it.
  PrometheusExportOptions o = PromOptions();
  o.metrics.histogram_bounds[LatencySlo().metric] = {100, 250, 500, 1000};
  auto exact = ExportPrometheusRules({}, {LatencySlo()}, o);
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(Contains(*exact, R"(checkout_latency_seconds_bucket{le=\"0.5\"})"));
  o.metrics.histogram_bounds[LatencySlo().metric] = {100, 250, 1000};
  auto below = ExportPrometheusRules({}, {LatencySlo()}, o);
  ASSERT_TRUE(below.ok());
  EXPECT_TRUE(Contains(*below, R"(checkout_latency_seconds_bucket{le=\"0.25\"})"));
  o.metrics.histogram_bounds[LatencySlo().metric] = {1000};
  auto none = ExportPrometheusRules({}, {LatencySlo()}, o);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "slo 'checkout-latency': field 'threshold': no bucket bound of "
            "'custom.googleapis.com/checkout/latency' is at or below 500");
}

TEST(PrometheusRuleExportTest, StringsAreQuotedSafelyAndErrorsNameTheCulprit) {
  AlertingRule r{.id = "q",
                 .display_name = "say \"hi\"\nback\\slash",
                 .metric_type = "app/load",
                 .matchers = {{"path", LabelMatcher::Op::kEqual, "a\"b\\c"}}};
  auto text = ExportPrometheusRules({r}, {}, PromOptions());
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(Contains(*text, R"(- alert: "say \"hi\"\nback\\slash")"));
  // PromQL escapes inside a YAML string: both levels.
  EXPECT_TRUE(Contains(*text, R"(app_load{path=\"a\\\"b\\\\c\"})")) << *text;

  PrometheusExportOptions o = PromOptions();
  o.metrics.descriptors.push_back({.metric_type = "app/load", .value_type = MetricType::kGauge});
  r.aggregation = WindowAggregation::kRate;
  auto gauge_rate = ExportPrometheusRules({r}, {}, o);
  ASSERT_FALSE(gauge_rate.ok());
  EXPECT_NE(gauge_rate.status().message().find("rule 'q': field 'aggregation'"), std::string::npos);
  Slo bad = ErrorSlo();
  bad.error_budget = 2;
  auto invalid = ExportPrometheusRules({}, {bad}, o);
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.status().message().find("slo 'checkout-errors': field 'error_budget'"),
            std::string::npos);
}

TEST(CloudMonitoringPolicyExportTest, RulesAndSloBurnAlertsBecomePolicies) {
  CloudMonitoringExportOptions o;
  o.metrics.descriptors = {Latency()};
  o.default_notification_channels = {"projects/p/notificationChannels/default"};
  o.user_labels = {{"Team", "Checkout Crew"}};
  auto policies = ExportCloudMonitoringPolicies(Rules(), {ErrorSlo(), LatencySlo()}, o);
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  ASSERT_EQ(policies->size(), 3u + 3u + 3u);
  std::vector<nlohmann::json> p;
  for (const std::string& body : *policies) p.push_back(nlohmann::json::parse(body));

  // The p99 rule: percentiles across series from the merged distributions.
  const auto& slow = p[0];
  EXPECT_EQ(slow["displayName"], "Checkout p99 > 500ms");
  EXPECT_EQ(slow["notificationChannels"], nlohmann::json({"projects/p/notificationChannels/42"}));
  EXPECT_EQ(slow["severity"], "CRITICAL");
  EXPECT_EQ(slow["userLabels"]["team"], "checkout_crew");
  const auto& t = slow["conditions"][0]["conditionThreshold"];
  EXPECT_EQ(t["filter"],
            "metric.type = \"custom.googleapis.com/checkout/latency\" AND metric.label.route = "
            "monitoring.regex.full_match(\"/pay.*\")");
  EXPECT_EQ(t["aggregations"][0]["perSeriesAligner"], "ALIGN_DELTA");
  EXPECT_EQ(t["aggregations"][0]["crossSeriesReducer"], "REDUCE_PERCENTILE_99");
  EXPECT_EQ(t["aggregations"][0]["groupByFields"], nlohmann::json({"metric.label.route"}));
  EXPECT_EQ(t["aggregations"][0]["alignmentPeriod"], "300s");
  EXPECT_EQ(t["comparison"], "COMPARISON_GT");
  EXPECT_EQ(t["thresholdValue"], 500);  // Cloud Monitoring keeps the unit
  EXPECT_EQ(t["duration"], "120s");
  EXPECT_EQ(slow["documentation"]["mimeType"], "text/markdown");
  // No Cloud Monitoring channel of its own: the defaults.
  EXPECT_EQ(p[1]["notificationChannels"],
            nlohmann::json({"projects/p/notificationChannels/default"}));
  EXPECT_EQ(p[1]["conditions"][0]["conditionThreshold"]["aggregations"][0]["perSeriesAligner"],
            "ALIGN_RATE");
  EXPECT_FALSE(p[2]["conditions"][0]["conditionThreshold"]["aggregations"][0].contains(
      "crossSeriesReducer"));  // per series
  // Whole minutes only: a 1 min window and 10 min for stay, 90 s rounds up.
  EXPECT_EQ(p[2]["conditions"][0]["conditionThreshold"]["aggregations"][0]["alignmentPeriod"],
            "60s");
  EXPECT_EQ(p[2]["conditions"][0]["conditionThreshold"]["duration"], "600s");
  AlertingRule odd = Rules()[2];
  odd.evaluation_window_secs = 90;
  odd.for_duration = std::chrono::seconds(61);
  auto rounded = ExportCloudMonitoringPolicies({odd}, {}, o);
  ASSERT_TRUE(rounded.ok());
  const auto r = nlohmann::json::parse(rounded->front())["conditions"][0]["conditionThreshold"];
  EXPECT_EQ(r["aggregations"][0]["alignmentPeriod"], "120s");
  EXPECT_EQ(r["duration"], "120s");

  // The ratio SLO's page: error ratio over 1 h and 5 min, and enough events.
  const auto& page = p[3];
  EXPECT_EQ(page["combiner"], "AND");
  EXPECT_EQ(page["severity"], "CRITICAL");
  EXPECT_EQ(page["userLabels"]["slo"], "checkout-errors");
  ASSERT_EQ(page["conditions"].size(), 3u);
  const auto& long_window = page["conditions"][0]["conditionThreshold"];
  EXPECT_EQ(long_window["denominatorFilter"],
            "metric.type = \"custom.googleapis.com/checkout/requests\" AND metric.label.route = "
            "\"/pay\"");
  EXPECT_EQ(long_window["aggregations"][0]["alignmentPeriod"], "3600s");
  EXPECT_EQ(long_window["denominatorAggregations"][0]["perSeriesAligner"], "ALIGN_DELTA");
  EXPECT_DOUBLE_EQ(long_window["thresholdValue"].get<double>(), 14.4 * 0.001);
  EXPECT_EQ(page["conditions"][1]["conditionThreshold"]["aggregations"][0]["alignmentPeriod"],
            "300s");
  EXPECT_EQ(page["conditions"][2]["conditionThreshold"]["comparison"], "COMPARISON_GE");
  EXPECT_EQ(page["notificationChannels"], nlohmann::json({"projects/p/notificationChannels/7"}));
  EXPECT_EQ(p[5]["severity"], "WARNING");  // the ticket

  // The latency SLO: PromQL over Cloud Monitoring's names, in ms.
  const auto& latency = p[6]["conditions"][0]["conditionPrometheusQueryLanguage"];
  const std::string query = latency["query"];
  EXPECT_TRUE(
      Contains(query, "(1 - (sum(rate(custom_googleapis_com:checkout_latency_bucket{le=\"469."))
      << query;
  EXPECT_TRUE(Contains(query, "sum(rate(custom_googleapis_com:checkout_latency_count[5m]))"));
  EXPECT_TRUE(Contains(query, "> (14.4 * 0.01)"));
  EXPECT_EQ(latency["evaluationInterval"], "60s");
}

TEST(CloudMonitoringPolicyExportTest, GoodRatioSlosCompareTheGoodFractionBelow) {
  Slo slo = ErrorSlo();
  slo.kind = SliKind::kGoodRatio;
  slo.good_metric = "checkout/ok";
  slo.min_events = 0;
  auto policies = ExportCloudMonitoringPolicies({}, {slo});
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  auto page = nlohmann::json::parse((*policies)[0]);
  ASSERT_EQ(page["conditions"].size(), 2u);
  const auto& t = page["conditions"][0]["conditionThreshold"];
  EXPECT_EQ(t["filter"],
            "metric.type = \"custom.googleapis.com/checkout/ok\" AND metric.label.route = "
            "\"/pay\"");
  EXPECT_EQ(t["comparison"], "COMPARISON_LT");
  EXPECT_DOUBLE_EQ(t["thresholdValue"].get<double>(), 1 - 14.4 * 0.001);
}

}  // namespace
}  // namespace tai

// Every exported alert policy body checked against Google's alert.proto
// (google.monitoring.v3.AlertPolicy, unknown fields and wrong enum values
// rejected): rules of each aggregation and grouping, and the burn-rate
// policies of every SLI kind.
#include <gtest/gtest.h>

#include "tai/alert/rule_export.h"
#include "tests/gcp_emulator/proto_json_validator.h"

namespace tai {
namespace {

constexpr const char* kAlertPolicy = "google.monitoring.v3.AlertPolicy";

std::vector<AlertingRule> EveryAggregation() {
  std::vector<AlertingRule> rules;
  const WindowAggregation all[] = {WindowAggregation::kMean,     WindowAggregation::kMax,
                                   WindowAggregation::kMin,      WindowAggregation::kLast,
                                   WindowAggregation::kP50,      WindowAggregation::kP95,
                                   WindowAggregation::kP99,      WindowAggregation::kRate,
                                   WindowAggregation::kIncrease, WindowAggregation::kCount};
  int n = 0;
  for (WindowAggregation a : all) {
    for (const char* metric : {"checkout/latency", "checkout/requests", "host/load"}) {
      AlertingRule r{
          .id = "rule-" + std::to_string(n),
          .metric_type = metric,
          .threshold = 1.5,
          .comparison_operator =
              n % 2 ? ComparisonOperator::kLessThanOrEqual : ComparisonOperator::kGreaterThan,
          .evaluation_window_secs = 30 + 60 * (n % 4),
          .trigger_count = 1 + n % 3,
          .notification_channels = {"projects/p/notificationChannels/" + std::to_string(n)},
          .aggregation = a,
          .matchers = {{"route", LabelMatcher::Op::kNotRegex, "/health.*"},
                       {"code", LabelMatcher::Op::kNotEqual, "200"}},
          .labels = {{"severity", n % 3 ? "warning" : "critical"}, {"Team", "Pay"}},
          .annotations = {{"summary", "{{ $labels.route }} \"slow\""}}};
      if (n % 3 == 1) r.group_by = {"route", "code"};
      if (n % 3 == 2) r.per_series = true;
      if (a == WindowAggregation::kRate || a == WindowAggregation::kIncrease) {
        r.metric_type = "checkout/requests";
      }
      rules.push_back(std::move(r));
      ++n;
    }
  }
  return rules;
}

std::vector<Slo> EveryKind() {
  return {
      Slo{.metric = "checkout/latency", .threshold = 250, .id = "latency"},
      Slo{.error_budget = 0.005,
          .id = "availability",
          .kind = SliKind::kGoodRatio,
          .good_metric = "checkout/ok",
          .total_metric = "checkout/requests",
          .matchers = {{"route", LabelMatcher::Op::kRegex, "/pay|/refund"}},
          .notification_channels = {"projects/p/notificationChannels/9", "slack"}},
      Slo{.id = "errors",
          .kind = SliKind::kBadRatio,
          .bad_metric = "workload.googleapis.com/checkout/errors",
          .total_metric = "workload.googleapis.com/checkout/requests",
          .min_events = 0,
          .labels = {{"service", "checkout"}},
          .annotations = {{"description", "Runbook: https://runbooks/checkout"}}},
  };
}

TEST(AlertPolicyExportTest, EveryPolicyIsAValidAlertPolicy) {
  auto validator = testing::ProtoJsonValidator::Load(testing::GoogleProtoRoot(),
                                                     {"google/monitoring/v3/alert.proto"});
  ASSERT_TRUE(validator.ok()) << validator.status().ToString();
  CloudMonitoringExportOptions options;
  options.metrics.descriptors = {
      {.metric_type = "checkout/latency",
       .value_type = MetricType::kDistribution,
       .unit = MetricUnit::kMilliseconds},
      {.metric_type = "checkout/requests", .value_type = MetricType::kCumulative}};
  options.default_notification_channels = {"projects/p/notificationChannels/default"};
  options.user_labels = {{"env", "prod"}};
  options.resource_filter = "resource.type = \"k8s_container\"";
  auto policies = ExportCloudMonitoringPolicies(EveryAggregation(), EveryKind(), options);
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  EXPECT_EQ(policies->size(), EveryAggregation().size() + 3 * EveryKind().size());
  for (const std::string& body : *policies) {
    Status s = (*validator)->Check(kAlertPolicy, body);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << body;
  }
  // The check has teeth: a misspelt enum value is refused.
  std::string bad = policies->front();
  const size_t at = bad.find("COMPARISON_GT");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 13, "COMPARISON_GTE");
  EXPECT_FALSE((*validator)->Check(kAlertPolicy, bad).ok());
}

}  // namespace
}  // namespace tai

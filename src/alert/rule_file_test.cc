// Rule files in YAML and JSON: every field read, and every error naming
// the file, the rule and the field.
#include "tai/alert/rule_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/temp_dir_testing.h"

namespace tai {
namespace {

constexpr const char* kYaml = R"(# checkout's alerts
rules:
  - id: high-error-rate
    display_name: Error Rate > 5%
    metric: custom.googleapis.com/app/error_rate
    threshold: 5.0
    op: COMPARISON_GT
    window: 5m
    trigger_count: 2
    notification_channels: [slack]
  - id: slow-pay
    metric: http/server/duration
    aggregation: p99
    matchers: ['route="/pay"', 'method!="OPTIONS"']
    group_by: [route]
    op: ">="
    threshold: 500
    window: 10m
    for: 2m
    interval: 30s
    no_data: resolve
    resolve_missing_after: 15m
    min_events: 100
    repeat_interval: 1h
    labels: {severity: page, team: payments}
    annotations:
      summary: "p99 of {{ $labels.route }} is {{ $value }} ms"
)";

TEST(RuleFile, ReadsEveryFieldFromYaml) {
  auto file = ParseRuleFile(kYaml, "rules.yaml", RuleFileFormat::kYaml);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->rules.size(), 2u);
  const AlertingRule& a = file->rules[0];
  EXPECT_EQ(a.id, "high-error-rate");
  EXPECT_EQ(a.display_name, "Error Rate > 5%");
  EXPECT_EQ(a.metric_type, "custom.googleapis.com/app/error_rate");
  EXPECT_EQ(a.threshold, 5.0);
  EXPECT_EQ(a.comparison_operator, ComparisonOperator::kGreaterThan);
  EXPECT_EQ(a.evaluation_window_secs, 300);
  EXPECT_EQ(a.trigger_count, 2);
  EXPECT_EQ(a.notification_channels, std::vector<std::string>{"slack"});
  const AlertingRule& b = file->rules[1];
  EXPECT_EQ(b.aggregation, WindowAggregation::kP99);
  ASSERT_EQ(b.matchers.size(), 2u);
  EXPECT_EQ(b.matchers[0].key, "route");
  EXPECT_EQ(b.matchers[0].value, "/pay");
  EXPECT_EQ(b.matchers[1].op, LabelMatcher::Op::kNotEqual);
  EXPECT_EQ(b.group_by, std::vector<std::string>{"route"});
  EXPECT_EQ(b.comparison_operator, ComparisonOperator::kGreaterThanOrEqual);
  EXPECT_EQ(b.evaluation_window_secs, 600);
  EXPECT_EQ(b.for_duration, std::chrono::minutes(2));
  EXPECT_EQ(b.interval, std::chrono::seconds(30));
  EXPECT_EQ(b.no_data, NoDataPolicy::kResolve);
  EXPECT_EQ(b.resolve_missing_after, std::chrono::minutes(15));
  EXPECT_EQ(b.min_events, 100u);
  EXPECT_EQ(b.repeat_interval, std::chrono::hours(1));
  EXPECT_EQ(b.labels.at("severity"), "page");
  EXPECT_EQ(b.annotations.at("summary"), "p99 of {{ $labels.route }} is {{ $value }} ms");
}

TEST(RuleFile, ReadsJsonAndLoadsByExtension) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/rules.json";
  std::ofstream(path) << R"({"rules": [{"id": "e", "metric": "m", "op": "<", "threshold": 0.5,
      "window": "30s", "per_series": true, "labels": {"severity": "ticket"}}]})";
  auto file = LoadRuleFile(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->rules.size(), 1u);
  EXPECT_EQ(file->rules[0].threshold, 0.5);
  EXPECT_EQ(file->rules[0].comparison_operator, ComparisonOperator::kLessThan);
  EXPECT_EQ(file->rules[0].evaluation_window_secs, 30);
  EXPECT_TRUE(file->rules[0].per_series);

  auto bad = ParseRuleFile(R"({"rules": [{"id": "e", "metric": "m", "colour": "red"}]})",
                           "rules.json", RuleFileFormat::kJson);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "rules.json: rule 'e' (#1): field 'colour': unknown field");
  EXPECT_FALSE(ParseRuleFile("{", "rules.json", RuleFileFormat::kJson).ok());
}

std::string ErrorOf(const std::string& yaml) {
  auto file = ParseRuleFile(yaml, "rules.yaml", RuleFileFormat::kYaml);
  return file.ok() ? "(ok)" : file.status().message();
}

TEST(RuleFile, ErrorsNameTheFileTheRuleAndTheField) {
  EXPECT_EQ(ErrorOf("rules:\n  - id: a\n    metric: m\n"
                    "  - id: slow-pay\n    metric: m\n    window: 5 minutes\n"),
            "rules.yaml: rule 'slow-pay' (#2): field 'window': bad duration '5 minutes': "
            "duration '5 minutes' has unit ' minutes'; use ms, s, m or h");
  EXPECT_EQ(ErrorOf("rules:\n  - id: a\n    metric: m\n    trigger_count: 0\n"),
            "rules.yaml: rule 'a' (#1): field 'trigger_count': must be at least 1, got 0");
  EXPECT_NE(ErrorOf("rules:\n  - id: a\n    metric: m\n    op: '=>'\n")
                .find("rules.yaml: rule 'a' (#1): field 'op': comparison '=>'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rules:\n  - id: a\n    metric: m\n    aggregation: p42\n")
                .find("field 'aggregation': aggregation 'p42'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rules:\n  - id: a\n    metric: m\n    matchers: ['route']\n")
                .find("rules.yaml: rule 'a' (#1): field 'matchers'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rules:\n  - id: a\n    metric: m\n    annotations: {s: '{{ $vaule }}'}\n")
                .find("rules.yaml: rule 'a' (#1): field 'annotations.s': unknown template "
                      "reference '{{ $vaule }}'"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("rules:\n  - metric: m\n    threshold: high\n"),
            "rules.yaml: rule '' (#1): field 'threshold': expected a number, got 'high'");
  EXPECT_EQ(ErrorOf("groups: []\n"), "rules.yaml: field 'groups': unknown field");
  EXPECT_EQ(ErrorOf("rules:\n  - id: a\n    metric: m\n  - id: a\n    metric: n\n"),
            "rules.yaml: rule 'a' (#2): field 'id': another rule has this id");
  EXPECT_NE(ErrorOf("rules: [\n").find("rules.yaml:"), std::string::npos);
  EXPECT_EQ(ErrorOf(""), "(ok)");
}

TEST(RuleFile, EveryBadRuleIsReportedOneALine) {
  const std::string message = ErrorOf(
      "rules:\n  - id: a\n    metric: m\n    for: soon\n  - id: b\n    metric: m\n"
      "  - id: c\n    metric: m\n    no_data: panic\n");
  EXPECT_NE(message.find("rule 'a' (#1): field 'for'"), std::string::npos) << message;
  EXPECT_NE(message.find("\nrules.yaml: rule 'c' (#3): field 'no_data'"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("'b'"), std::string::npos);
}

TEST(RuleFile, AMissingFileIsNamed) {
  auto file = LoadRuleFile("/no/such/rules.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("/no/such/rules.yaml"), std::string::npos);
}

TEST(RuleFileTest, NotifiersAreReadAndCheckedWithTheirSecretsInTheEnvironment) {
  auto file = ParseRuleFile(
      "notifiers:\n"
      "  - {name: oncall, type: pagerduty, routing_key_env: PD_KEY}\n"
      "  - {name: chat, type: slack, url_env: SLACK_URL}\n"
      "  - {name: am, type: alertmanager, url: 'http://127.0.0.1:9093'}\n",
      "n.yaml", RuleFileFormat::kYaml);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->notifiers.size(), 3u);
  EXPECT_EQ(file->notifiers[0].routing_key_env, "PD_KEY");
  auto env = [](std::string_view name) -> std::string {
    return name == "SLACK_URL" ? "https://hooks.example/services/T/B/s3cr3t" : "";
  };
  auto chat = MakeNotifier(file->notifiers[1], env);
  ASSERT_TRUE(chat.ok()) << chat.status().ToString();
  EXPECT_EQ((*chat)->name(), "chat");
  EXPECT_EQ((*chat)->Describe().find("s3cr3t"), std::string::npos);
  auto oncall = MakeNotifier(file->notifiers[0], env);
  ASSERT_FALSE(oncall.ok());
  EXPECT_EQ(oncall.status().message(), "variable PD_KEY is not set");

  auto bad = ParseRuleFile(
      "notifiers:\n"
      "  - {name: a, type: email, url: 'http://x'}\n"
      "  - {name: b, type: slack, url: 'https://x', url_env: X}\n"
      "  - {name: c, type: webhook}\n"
      "  - {name: d, type: webhook, url: 'http://x', colour: red}\n"
      "  - {name: d2, type: webhook, url: 'http://x', routing_key: k}\n",
      "n.yaml", RuleFileFormat::kYaml);
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.status().message();
  EXPECT_NE(m.find("n.yaml: notifier 'a' (#1): field 'type': 'email' is not one of"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("n.yaml: notifier 'b' (#2): field 'url': give 'url' or 'url_env', not both"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("n.yaml: notifier 'c' (#3): field 'url': required"), std::string::npos) << m;
  EXPECT_NE(m.find("n.yaml: notifier 'd' (#4): field 'colour': unknown field"), std::string::npos)
      << m;
  EXPECT_NE(m.find("n.yaml: notifier 'd2' (#5): field 'routing_key': only a pagerduty"),
            std::string::npos)
      << m;
}

}  // namespace
}  // namespace tai

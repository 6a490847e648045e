// The rule file's alert policies made to exist in Cloud Monitoring, against
// the emulator (every body checked against alert.proto, every update mask
// against AlertPolicy's fields): created once, left alone when nothing
// changed, patched when a rule did, other people's policies untouched,
// errors naming the rule, and an outage waited out, both through
// SyncCloudAlertPolicies and through Observability with
// TAI_GCP_ALERT_POLICIES=sync.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "core/temp_dir_testing.h"
#include "export/http/http_client.h"
#include "tai/cloud_alert_policies.h"
#include "tai/observability.h"
#include "tests/gcp_emulator/monitoring_emulator.h"

namespace tai {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kProject = "alert-project";
constexpr const char* kChannel = "projects/alert-project/notificationChannels/42";

std::vector<AlertingRule> Rules() {
  return {AlertingRule{.id = "high-error-rate",
                       .display_name = "Error Rate > 5%",
                       .metric_type = "custom.googleapis.com/app/error_rate",
                       .threshold = 5.0,
                       .evaluation_window_secs = 300,
                       .trigger_count = 2,
                       .notification_channels = {kChannel, "slack"},
                       .labels = {{"severity", "page"}}},
          AlertingRule{.id = "Slow.Pay",
                       .metric_type = "http/server/duration",
                       .threshold = 500,
                       .aggregation = WindowAggregation::kP99,
                       .group_by = {"route"}}};
}

std::vector<Slo> Slos() {
  return {Slo{.id = "checkout-errors",
              .kind = SliKind::kBadRatio,
              .bad_metric = "checkout/errors",
              .total_metric = "checkout/requests"}};
}

class AlertPolicySyncTest : public ::testing::Test {
 protected:
  AlertPolicySyncTest() {
    monitoring_.AddNotificationChannel(kChannel);
    // Small pages, so that every sync reads several.
    monitoring_.set_alert_policy_page_size(2);
    // A policy someone made in the console, and one another service syncs.
    theirs_ = monitoring_.AddAlertPolicy(kProject, json::parse(R"({
        "displayName": "hand made", "combiner": "OR",
        "userLabels": {"owner": "sre"},
        "conditions": [{"displayName": "c", "conditionThreshold": {
            "filter": "metric.type = \"custom.googleapis.com/x\"",
            "comparison": "COMPARISON_GT", "thresholdValue": 1, "duration": "0s"}}]})"));
    json other = monitoring_.alert_policies()[theirs_];
    other.erase("name");
    other["userLabels"] = {{"tai_managed", "true"},
                           {"tai_scope", "other-service"},
                           {"tai_rule_id", "high-error-rate"},
                           {"tai_spec", "0"}};
    other_service_ = monitoring_.AddAlertPolicy(kProject, other);
    sync_.api.project_id = kProject;
    sync_.api.endpoints = monitoring_.Endpoints();
    sync_.api.initial_backoff = 1ms;
    sync_.api.max_backoff = 5ms;
    sync_.scope = "checkout";
  }

  // Ours, by tai_rule_id.
  std::map<std::string, json> Ours() {
    std::map<std::string, json> out;
    for (const auto& [name, p] : monitoring_.alert_policies()) {
      const json labels = p.value("userLabels", json::object());
      if (labels.value("tai_scope", "") == "checkout") out[labels["tai_rule_id"]] = p;
    }
    return out;
  }

  void ExpectTheirsUntouched(const std::map<std::string, json>& before) {
    const auto now = monitoring_.alert_policies();
    ASSERT_TRUE(now.count(theirs_) && now.count(other_service_));
    EXPECT_EQ(now.at(theirs_), before.at(theirs_));
    EXPECT_EQ(now.at(other_service_), before.at(other_service_));
  }

  testing::MonitoringEmulator monitoring_;
  std::string theirs_, other_service_;
  gcp::AlertPolicySyncOptions sync_;
};

TEST_F(AlertPolicySyncTest, CreatesOnTheFirstSyncAndChangesNothingOnTheSecond) {
  const auto before = monitoring_.alert_policies();
  auto first = SyncCloudAlertPolicies(Rules(), Slos(), sync_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->status().ok()) << first->status().ToString();
  const int policies = 2 + static_cast<int>(Slos()[0].burn_rate_alerts.size());
  EXPECT_EQ(first->created, policies);
  EXPECT_EQ(first->updated + first->unchanged + first->deleted, 0);
  EXPECT_TRUE(monitoring_.problems().empty()) << monitoring_.problems().front();

  const auto ours = Ours();
  ASSERT_EQ(ours.size(), static_cast<size_t>(policies));
  const json& errors = ours.at("high-error-rate");
  EXPECT_EQ(errors["displayName"], "Error Rate > 5%");
  EXPECT_EQ(errors["userLabels"]["tai_managed"], "true");
  EXPECT_EQ(errors["userLabels"]["severity"], "page");
  // The Cloud Monitoring channel is kept; "slack" (a notifier of ours) is not one.
  EXPECT_EQ(errors["notificationChannels"], json::array({kChannel}));
  EXPECT_EQ(errors["conditions"][0]["conditionThreshold"]["thresholdValue"], 5.0);
  // "Slow.Pay" is not label text: a hashed label keeps it apart from "slow_pay".
  EXPECT_EQ(ours.count("slow_pay"), 0u);
  EXPECT_EQ(ours.count(gcp::AlertPolicyKeyLabel("Slow.Pay")), 1u);
  EXPECT_EQ(ours.count("slo-checkout-errors-burn1"), 1u);
  ExpectTheirsUntouched(before);

  const int writes = monitoring_.alert_policy_writes();
  auto second = SyncCloudAlertPolicies(Rules(), Slos(), sync_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->unchanged, policies);
  EXPECT_EQ(second->created + second->updated + second->deleted, 0);
  EXPECT_EQ(monitoring_.alert_policy_writes(), writes);
  EXPECT_EQ(Ours(), ours);
}

TEST_F(AlertPolicySyncTest, PatchesTheRuleWhoseThresholdChanged) {
  ASSERT_TRUE(SyncCloudAlertPolicies(Rules(), {}, sync_).ok());
  const auto before = monitoring_.alert_policies();
  const json old = Ours().at("high-error-rate");
  std::vector<AlertingRule> rules = Rules();
  rules[0].threshold = 7.5;
  rules[0].labels.clear();  // severity goes: it is in the update mask
  auto report = SyncCloudAlertPolicies(rules, {}, sync_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->status().ok()) << report->status().ToString();
  EXPECT_EQ(report->updated, 1);
  EXPECT_EQ(report->unchanged, 1);
  EXPECT_EQ(report->created, 0);
  EXPECT_TRUE(monitoring_.problems().empty()) << monitoring_.problems().front();
  const json now = Ours().at("high-error-rate");
  EXPECT_EQ(now["name"], old["name"]);  // the same policy, patched
  EXPECT_EQ(now["conditions"][0]["conditionThreshold"]["thresholdValue"], 7.5);
  EXPECT_FALSE(now.contains("severity"));
  EXPECT_NE(now["userLabels"]["tai_spec"], old["userLabels"]["tai_spec"]);
  ExpectTheirsUntouched(before);
  // And the next sync finds it current.
  auto again = SyncCloudAlertPolicies(rules, {}, sync_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 2);
}

TEST_F(AlertPolicySyncTest, RemovedRulesStayUnlessPruningAndOnlyOursArePruned) {
  ASSERT_TRUE(SyncCloudAlertPolicies(Rules(), {}, sync_).ok());
  const auto before = monitoring_.alert_policies();
  const std::vector<AlertingRule> one = {Rules()[0]};
  auto kept = SyncCloudAlertPolicies(one, {}, sync_);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->deleted, 0);
  EXPECT_EQ(Ours().size(), 2u);

  sync_.delete_orphans = true;
  auto pruned = SyncCloudAlertPolicies(one, {}, sync_);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->deleted, 1);
  EXPECT_EQ(pruned->unchanged, 1);
  ASSERT_EQ(Ours().size(), 1u);
  EXPECT_TRUE(Ours().count("high-error-rate"));
  ExpectTheirsUntouched(before);
}

TEST_F(AlertPolicySyncTest, TwoCopiesOfOnePolicyAreCutBackToTheFirst) {
  ASSERT_TRUE(SyncCloudAlertPolicies(Rules(), {}, sync_).ok());
  json copy = Ours().at("high-error-rate");
  copy.erase("name");
  const std::string second = monitoring_.AddAlertPolicy(kProject, copy);
  auto report = SyncCloudAlertPolicies(Rules(), {}, sync_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, 1);
  EXPECT_EQ(report->unchanged, 2);
  EXPECT_FALSE(monitoring_.alert_policies().count(second));
}

TEST_F(AlertPolicySyncTest, ABadRuleIsNamedAndTheOthersAreSynced) {
  std::vector<AlertingRule> rules = Rules();
  // The API refuses a channel that does not exist.
  rules[0].notification_channels = {"projects/alert-project/notificationChannels/404"};
  // And this one cannot be made at all.
  AlertingRule broken = Rules()[1];
  broken.id = "broken-rule";
  broken.evaluation_window_secs = 0;
  rules.push_back(broken);
  auto report = SyncCloudAlertPolicies(rules, {}, sync_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->created, 1);
  ASSERT_EQ(report->errors.size(), 2u);
  const std::string refused = report->errors[0].message();
  EXPECT_NE(refused.find("rule 'high-error-rate': creating its alert policy: HTTP 400"),
            std::string::npos)
      << refused;
  EXPECT_NE(refused.find("notificationChannels/404 does not exist"), std::string::npos) << refused;
  EXPECT_EQ(report->errors[0].code(), StatusCode::kInvalidArgument);
  const std::string unmade = report->errors[1].message();
  EXPECT_NE(unmade.find("rule 'broken-rule'"), std::string::npos) << unmade;
  EXPECT_EQ(unmade.find("rule 'broken-rule'"), unmade.rfind("rule 'broken-rule'")) << unmade;
  EXPECT_NE(unmade.find("evaluation_window_secs"), std::string::npos) << unmade;
  EXPECT_FALSE(report->retryable());
  EXPECT_NE(report->status().message().find("broken-rule"), std::string::npos);
  EXPECT_EQ(Ours().size(), 1u);
}

TEST_F(AlertPolicySyncTest, AnOutageFailsTheSyncAndTheNextOneCatchesUp) {
  monitoring_.set_faults({.outage = true});
  sync_.api.max_attempts = 3;
  auto failed = SyncCloudAlertPolicies(Rules(), Slos(), sync_);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("listing the alert policies of project alert-project"),
            std::string::npos)
      << failed.status().ToString();
  EXPECT_GE(monitoring_.faults().unavailable, 3u);
  EXPECT_TRUE(Ours().empty());

  monitoring_.set_faults({});
  auto recovered = SyncCloudAlertPolicies(Rules(), Slos(), sync_);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_TRUE(recovered->status().ok());
  EXPECT_EQ(Ours().size(), static_cast<size_t>(recovered->created));
  EXPECT_GT(recovered->created, 0);
}

// Observability with TAI_GCP_ALERT_POLICIES=sync during an outage: Start
// returns at once, the failure is counted on /metrics, and once the API is
// back the policies are made.
TEST_F(AlertPolicySyncTest, ObservabilitySyncsInTheBackgroundThroughAnOutage) {
  testing::TempDir dir;
  const std::string rule_file = dir.path() + "/rules.yaml";
  std::ofstream(rule_file) << "rules:\n"
                              "  - id: high-error-rate\n"
                              "    metric: custom.googleapis.com/app/error_rate\n"
                              "    op: \">\"\n"
                              "    threshold: 5\n"
                              "    window: 5m\n";
  monitoring_.set_faults({.outage = true});
  Config c;
  c.resource.service_name = "checkout";
  c.resource.gcp_project = kProject;
  c.metrics.prometheus_address = "127.0.0.1:0";
  c.metrics.collect_interval = 1h;
  c.logs.format = LogFormat::kOff;
  c.store.enabled = false;
  c.alerts.rule_file = rule_file;
  c.gcp.enabled = true;
  c.gcp.authenticate = false;
  c.gcp.detect_resource = false;
  c.gcp.endpoints = monitoring_.Endpoints();
  c.gcp.endpoints.trace = monitoring_.url();  // unused: no span is made
  c.gcp.default_spill_directory = false;
  c.gcp.delivery.spill_directory = "";
  c.gcp.delivery.initial_backoff = 1ms;
  c.gcp.delivery.max_backoff = 5ms;
  c.gcp.alert_policies = GcpExportConfig::AlertPolicies::kSync;
  c.gcp.alert_policy_retry = 20ms;
  c.shutdown_deadline = 2s;
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();

  // A counter's value on /metrics (-1 before it shows).
  internal::HttpClient client;
  auto counter = [&](const std::string& series) {
    auto page = client.Send({.method = "GET", .url = (*obs)->metrics_url()});
    const size_t at = page.ok() ? page->body.find(series + " ") : std::string::npos;
    return at == std::string::npos ? -1.0 : std::stod(page->body.substr(at + series.size() + 1));
  };
  const std::string failed = "tai_gcp_alert_policy_syncs_total{outcome=\"failed\"}";
  const std::string ok = "tai_gcp_alert_policy_syncs_total{outcome=\"ok\"}";
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (counter(failed) < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(counter(failed), 1);
  EXPECT_TRUE(Ours().empty());

  monitoring_.set_faults({});
  while (counter(ok) < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(counter(ok), 1);
  ASSERT_EQ(Ours().size(), 1u);
  EXPECT_EQ(Ours().begin()->first, "high-error-rate");
  EXPECT_EQ(counter("tai_gcp_alert_policy_changes_total{change=\"created\"}"), 1);
  (*obs)->Shutdown();
  // (The metric exporter's flush at shutdown is not what this test checks.)
  for (const std::string& problem : monitoring_.problems()) {
    EXPECT_EQ(problem.find("alert"), std::string::npos) << problem;
  }
}

TEST(AlertPolicySyncConfigTest, SyncIsOffUnlessAskedAndNeedsExportAndARuleFile) {
  auto env = [](std::map<std::string, std::string> given) {
    return [values = std::move(given)](const char* name) -> const char* {
      auto it = values.find(name);
      return it == values.end() ? nullptr : it->second.c_str();
    };
  };
  auto plain = Config::FromEnv(env({}));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->gcp.alert_policies, GcpExportConfig::AlertPolicies::kOff);
  auto alone = Config::FromEnv(env({{"TAI_GCP_ALERT_POLICIES", "sync"}}));
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.status().message().find("TAI_GCP_EXPORT"), std::string::npos);
  std::map<std::string, std::string> vars = {{"TAI_GCP_ALERT_POLICIES", "sync"},
                                             {"TAI_GCP_EXPORT", "true"},
                                             {"GOOGLE_CLOUD_PROJECT", "p"}};
  auto no_rules = Config::FromEnv(env(vars));
  ASSERT_FALSE(no_rules.ok());
  EXPECT_NE(no_rules.status().message().find("TAI_ALERT_RULES"), std::string::npos);
  vars["TAI_ALERT_RULES"] = "/etc/rules.yaml";
  vars["TAI_GCP_ALERT_POLICIES_PRUNE"] = "true";
  auto on = Config::FromEnv(env(vars));
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->gcp.alert_policies, GcpExportConfig::AlertPolicies::kSync);
  EXPECT_TRUE(on->gcp.prune_alert_policies);
  auto bad = Config::FromEnv(env({{"TAI_GCP_ALERT_POLICIES", "always"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("TAI_GCP_ALERT_POLICIES"), std::string::npos);
}

}  // namespace
}  // namespace tai

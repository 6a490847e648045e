#include "tai/alert/notifiers.h"

#include <gtest/gtest.h>

#include <map>

#include "alert/notifiers/receiver_testing.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

using nlohmann::json;
using testing::ScriptedAnswer;
using testing::ScriptedReceiver;

constexpr int64_t kFiredAt = 1'767'225'600'000'000'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kResolvedAt = kFiredAt + 90'000'000'000;
constexpr char kSlackPath[] = "/services/T0001/B0002/sEcReTtOkEn42";
constexpr char kRoutingKey[] = "R0UT1NGKEY0123456789abcdefABCDEF";

Alert MakeAlert(AlertState state, std::string name = "HighLatency", std::string severity = "page") {
  Alert alert;
  alert.rule_id = "rule-" + name;
  alert.labels = LabelSet({{"alertname", name}, {"severity", severity}, {"service", "checkout"}});
  alert.annotations = {{"summary", name + " on checkout"}, {"runbook_url", "https://run/book"}};
  alert.state = state;
  alert.value = 0.75;
  alert.fired_at_nanos = kFiredAt;
  alert.resolved_at_nanos = state == AlertState::kResolved ? kResolvedAt : 0;
  alert.generator_url = "http://127.0.0.1:9464/alerts/rule-" + name;
  return alert;
}

// The text holds no part of a secret.
void ExpectNoSecret(const std::string& text) {
  EXPECT_EQ(text.find("sEcReT"), std::string::npos) << text;
  EXPECT_EQ(text.find("T0001"), std::string::npos) << text;
  EXPECT_EQ(text.find(kRoutingKey), std::string::npos) << text;
}

TEST(RedactUrlTest, KeepsSchemeAndHostOnly) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T1/B2/xyz"), "https://hooks.slack.com/…");
  EXPECT_EQ(RedactUrl("http://user:pw@127.0.0.1:9093/api?token=1"), "http://127.0.0.1:9093/…");
  EXPECT_EQ(RedactUrl("http://am:9093"), "http://am:9093");
  EXPECT_EQ(RedactUrl("http://am:9093/"), "http://am:9093");
  EXPECT_EQ(RedactUrl("hooks.slack.com/services/T1/B2/xyz"), "[REDACTED]");
  EXPECT_EQ(RedactUrl(""), "[REDACTED]");
}

TEST(NotifierFactoryTest, RejectsBadUrlsNamingTheFieldWithoutTheSecret) {
  auto slack = MakeSlackNotifier({.webhook_url = std::string("hooks.slack.com") + kSlackPath});
  ASSERT_FALSE(slack.ok());
  EXPECT_EQ(slack.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(slack.status().message().find("webhook_url"), std::string::npos);
  ExpectNoSecret(slack.status().message());

  auto ftp = MakeWebhookNotifier({.url = std::string("ftp://host") + kSlackPath});
  ASSERT_FALSE(ftp.ok());
  EXPECT_NE(ftp.status().message().find("url"), std::string::npos);
  ExpectNoSecret(ftp.status().message());

  EXPECT_FALSE(MakeWebhookNotifier({.url = "http://host/a b"}).ok());
  EXPECT_FALSE(MakeAlertmanagerNotifier({.url = ""}).ok());
  EXPECT_FALSE(MakeAlertmanagerNotifier({.url = "http://:9093"}).ok());

  auto no_key = MakePagerDutyNotifier({});
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("routing_key"), std::string::npos);
  auto bad_url = MakePagerDutyNotifier({.routing_key = kRoutingKey, .url = "events"});
  ASSERT_FALSE(bad_url.ok());
  EXPECT_NE(bad_url.status().message().find("url"), std::string::npos);
  ExpectNoSecret(bad_url.status().message());
}

TEST(NotifierFactoryTest, DescribeShowsTheKindAndTheRedactedUrl) {
  auto slack =
      MakeSlackNotifier({.webhook_url = std::string("https://hooks.slack.com") + kSlackPath});
  ASSERT_TRUE(slack.ok());
  EXPECT_EQ((*slack)->Describe(), "slack https://hooks.slack.com/…");
  EXPECT_EQ((*slack)->min_send_interval(), std::chrono::seconds(1));
  auto pd = MakePagerDutyNotifier({.routing_key = kRoutingKey});
  ASSERT_TRUE(pd.ok());
  EXPECT_EQ((*pd)->name(), "pagerduty");
  EXPECT_EQ((*pd)->Describe(), "pagerduty https://events.pagerduty.com/…");
}

TEST(WebhookNotifierTest, PostsAlertmanagersWebhookPayload) {
  ScriptedReceiver receiver("/hook");
  auto notifier = MakeWebhookNotifier(
      {.url = receiver.url() + "/hook", .receiver = "ops", .external_url = "http://dash"});
  ASSERT_TRUE(notifier.ok()) << notifier.status().ToString();
  Alert firing = MakeAlert(AlertState::kFiring);
  Alert resolved = MakeAlert(AlertState::kResolved);
  resolved.labels =
      LabelSet({{"alertname", "HighLatency"}, {"severity", "page"}, {"service", "cart"}});
  NotifyOutcome outcome = (*notifier)->Send({firing, resolved});
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.http_status, 200);

  ASSERT_EQ(receiver.count(), 1u);
  json p = receiver.json(0);
  ASSERT_FALSE(p.is_discarded()) << receiver.body(0);
  EXPECT_EQ(p["version"], "4");
  EXPECT_EQ(p["status"], "firing");
  EXPECT_EQ(p["receiver"], "ops");
  EXPECT_EQ(p["externalURL"], "http://dash");
  EXPECT_EQ(p["groupKey"], "{}:{alertname=\"HighLatency\"}");
  EXPECT_EQ(p["groupLabels"], json({{"alertname", "HighLatency"}}));
  EXPECT_EQ(p["commonLabels"], json({{"alertname", "HighLatency"}, {"severity", "page"}}));
  EXPECT_EQ(p["commonAnnotations"]["summary"], "HighLatency on checkout");
  ASSERT_EQ(p["alerts"].size(), 2u);
  const json& a = p["alerts"][0];
  EXPECT_EQ(a["status"], "firing");
  EXPECT_EQ(a["labels"]["service"], "checkout");
  EXPECT_EQ(a["annotations"]["runbook_url"], "https://run/book");
  EXPECT_EQ(a["startsAt"], FormatRfc3339(kFiredAt));
  EXPECT_EQ(a["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(a["generatorURL"], firing.generator_url);
  EXPECT_EQ(a["fingerprint"], AlertFingerprint(firing.labels));
  const json& b = p["alerts"][1];
  EXPECT_EQ(b["status"], "resolved");
  EXPECT_EQ(b["endsAt"], FormatRfc3339(kResolvedAt));

  // All resolved: the group is resolved.
  ASSERT_TRUE((*notifier)->Send({resolved}).status.ok());
  EXPECT_EQ(receiver.json(1)["status"], "resolved");
}

TEST(WebhookNotifierTest, HeaderValuesAreSecretsToo) {
  ScriptedReceiver receiver("/hook");
  receiver.Script({{.status = 401, .body = "bad credentials: Bearer t0pS3cretT0ken"}});
  auto notifier = MakeWebhookNotifier(
      {.url = receiver.url() + "/hook", .headers = {{"Authorization", "Bearer t0pS3cretT0ken"}}});
  ASSERT_TRUE(notifier.ok());
  NotifyOutcome outcome = (*notifier)->Send({MakeAlert(AlertState::kFiring)});
  EXPECT_EQ(outcome.status.code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_EQ(outcome.status.message().find("t0pS3cret"), std::string::npos)
      << outcome.status.message();
  EXPECT_NE(outcome.status.message().find("answered 401: bad credentials: [REDACTED]"),
            std::string::npos)
      << outcome.status.message();
}

TEST(SlackNotifierTest, MessageHasStateSeveritySummaryAndDashboardLink) {
  ScriptedReceiver slack("/services/*");
  auto notifier = MakeSlackNotifier({.webhook_url = slack.url() + kSlackPath});
  ASSERT_TRUE(notifier.ok());
  Alert no_summary = MakeAlert(AlertState::kResolved, "DiskFull", "ticket");
  no_summary.annotations.clear();
  ASSERT_TRUE((*notifier)->Send({MakeAlert(AlertState::kFiring)}).status.ok());
  ASSERT_TRUE((*notifier)->Send({no_summary}).status.ok());

  ASSERT_EQ(slack.count(), 2u);
  EXPECT_EQ(slack.path(0), kSlackPath);
  json first = slack.json(0);
  EXPECT_EQ(first["text"], "[FIRING] HighLatency on checkout");
  ASSERT_EQ(first["blocks"].size(), 1u);
  const std::string text = first["blocks"][0]["text"]["text"];
  EXPECT_NE(text.find("FIRING"), std::string::npos) << text;
  EXPECT_NE(text.find("severity *page*"), std::string::npos) << text;
  EXPECT_NE(text.find("HighLatency on checkout"), std::string::npos) << text;
  EXPECT_NE(text.find("<http://127.0.0.1:9464/alerts/rule-HighLatency|Open in the dashboard>"),
            std::string::npos)
      << text;
  // Without a summary annotation, the alertname.
  json second = slack.json(1);
  EXPECT_EQ(second["text"], "[RESOLVED] DiskFull");
  const std::string resolved = second["blocks"][0]["text"]["text"];
  EXPECT_NE(resolved.find("RESOLVED"), std::string::npos);
  EXPECT_NE(resolved.find("severity *ticket*"), std::string::npos);
}

TEST(SlackNotifierTest, ErrorsCarryTheReceiversMessageButNoSecret) {
  ScriptedReceiver slack("/services/*");
  // Slack answers 404 "no_service" to a wrong webhook; this one echoes the path.
  slack.Script({{.status = 404, .body = std::string("  no_service ") + kSlackPath + "\n"}});
  auto notifier = MakeSlackNotifier({.webhook_url = slack.url() + kSlackPath});
  ASSERT_TRUE(notifier.ok());
  NotifyOutcome outcome = (*notifier)->Send({MakeAlert(AlertState::kFiring)});
  EXPECT_EQ(outcome.status.code(), StatusCode::kNotFound);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_EQ(outcome.http_status, 404);
  EXPECT_NE(outcome.status.message().find("no_service [REDACTED]"), std::string::npos)
      << outcome.status.message();
  EXPECT_NE(outcome.status.message().find("answered 404"), std::string::npos);
  ExpectNoSecret(outcome.status.message());

  // Nobody listening: retryable, and the URL in curl's message is redacted.
  int closed = 0;
  {
    HttpServer gone;
    ASSERT_TRUE(gone.Start().ok());
    closed = gone.port();
  }
  auto down =
      MakeSlackNotifier({.webhook_url = "http://127.0.0.1:" + std::to_string(closed) + kSlackPath});
  ASSERT_TRUE(down.ok());
  NotifyOutcome refused = (*down)->Send({MakeAlert(AlertState::kFiring)});
  EXPECT_FALSE(refused.status.ok());
  EXPECT_TRUE(refused.retryable);
  EXPECT_EQ(refused.http_status, 0);
  ExpectNoSecret(refused.status.message());
}

TEST(PagerDutyNotifierTest, TriggerThenResolveShareTheDedupKey) {
  ScriptedReceiver pd("/v2/enqueue", 202);
  auto notifier =
      MakePagerDutyNotifier({.routing_key = kRoutingKey, .url = pd.url() + "/v2/enqueue"});
  ASSERT_TRUE(notifier.ok());
  Alert firing = MakeAlert(AlertState::kFiring);
  ASSERT_TRUE((*notifier)->Send({firing}).status.ok());
  ASSERT_TRUE((*notifier)->Send({MakeAlert(AlertState::kResolved)}).status.ok());

  ASSERT_EQ(pd.count(), 2u);
  json trigger = pd.json(0);
  EXPECT_EQ(trigger["routing_key"], kRoutingKey);
  EXPECT_EQ(trigger["event_action"], "trigger");
  EXPECT_EQ(trigger["dedup_key"], AlertFingerprint(firing.labels));
  EXPECT_EQ(trigger["payload"]["summary"], "HighLatency on checkout");
  EXPECT_EQ(trigger["payload"]["source"], "checkout");
  EXPECT_EQ(trigger["payload"]["severity"], "critical");
  EXPECT_EQ(trigger["payload"]["timestamp"], FormatRfc3339(kFiredAt));
  EXPECT_EQ(trigger["payload"]["custom_details"]["labels"]["service"], "checkout");
  EXPECT_EQ(trigger["payload"]["custom_details"]["annotations"]["runbook_url"], "https://run/book");
  EXPECT_DOUBLE_EQ(trigger["payload"]["custom_details"]["value"].get<double>(), 0.75);
  ASSERT_EQ(trigger["links"].size(), 1u);
  EXPECT_EQ(trigger["links"][0]["href"], firing.generator_url);
  json resolve = pd.json(1);
  EXPECT_EQ(resolve["event_action"], "resolve");
  EXPECT_EQ(resolve["dedup_key"], trigger["dedup_key"]);
}

TEST(PagerDutyNotifierTest, MapsSeverityLabels) {
  ScriptedReceiver pd("/e", 202);
  auto notifier = MakePagerDutyNotifier({.routing_key = kRoutingKey, .url = pd.url() + "/e"});
  ASSERT_TRUE(notifier.ok());
  const std::map<std::string, std::string> expected = {
      {"page", "critical"}, {"ticket", "warning"}, {"critical", "critical"},
      {"error", "error"},   {"info", "info"},      {"sev1", "warning"}};
  std::vector<Alert> alerts;
  for (const auto& [label, _] : expected)
    alerts.push_back(MakeAlert(AlertState::kFiring, label, label));
  ASSERT_TRUE((*notifier)->Send(alerts).status.ok());
  ASSERT_EQ(pd.count(), expected.size());
  for (size_t i = 0; i < alerts.size(); ++i) {
    json event = pd.json(i);
    EXPECT_EQ(event["payload"]["severity"],
              expected.at(event["payload"]["custom_details"]["labels"]["severity"]));
  }
}

TEST(PagerDutyNotifierTest, RetryableAnswersCarryRetryAfterAndNoKey) {
  ScriptedReceiver pd("/e", 202);
  pd.Script(
      {{.status = 429, .retry_after = "3", .body = "{\"message\":\"rate limited\"}"},
       {.status = 503},
       {.status = 400, .body = std::string("{\"errors\":[\"bad key ") + kRoutingKey + "\"]}"}});
  auto notifier = MakePagerDutyNotifier({.routing_key = kRoutingKey, .url = pd.url() + "/e"});
  ASSERT_TRUE(notifier.ok());
  const std::vector<Alert> alerts = {MakeAlert(AlertState::kFiring)};
  NotifyOutcome limited = (*notifier)->Send(alerts);
  EXPECT_TRUE(limited.retryable);
  EXPECT_EQ(limited.http_status, 429);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(3));
  EXPECT_EQ(limited.status.code(), StatusCode::kUnavailable);
  NotifyOutcome unavailable = (*notifier)->Send(alerts);
  EXPECT_TRUE(unavailable.retryable);
  EXPECT_EQ(unavailable.http_status, 503);
  NotifyOutcome bad = (*notifier)->Send(alerts);
  EXPECT_FALSE(bad.retryable);
  EXPECT_EQ(bad.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status.message().find("bad key [REDACTED]"), std::string::npos)
      << bad.status.message();
  for (const auto* o : {&limited, &unavailable, &bad}) ExpectNoSecret(o->status.message());
  EXPECT_TRUE((*notifier)->Send(alerts).status.ok());
}

TEST(AlertmanagerNotifierTest, PostsApiV2AlertsWithEndsAtOnceResolved) {
  ScriptedReceiver am("/api/v2/alerts");
  auto notifier = MakeAlertmanagerNotifier({.url = am.url() + "/"});
  ASSERT_TRUE(notifier.ok());
  ASSERT_TRUE((*notifier)->Send({MakeAlert(AlertState::kFiring)}).status.ok());
  ASSERT_TRUE((*notifier)->Send({MakeAlert(AlertState::kResolved)}).status.ok());
  ASSERT_EQ(am.count(), 2u);
  json firing = am.json(0);
  ASSERT_TRUE(firing.is_array());
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0]["labels"]["alertname"], "HighLatency");
  EXPECT_EQ(firing[0]["annotations"]["summary"], "HighLatency on checkout");
  EXPECT_EQ(firing[0]["startsAt"], FormatRfc3339(kFiredAt));
  EXPECT_FALSE(firing[0].contains("endsAt"));
  EXPECT_EQ(firing[0]["generatorURL"], "http://127.0.0.1:9464/alerts/rule-HighLatency");
  EXPECT_EQ(am.json(1)[0]["endsAt"], FormatRfc3339(kResolvedAt));

  // firing_valid_for: endsAt in the future while firing.
  auto valid_for = MakeAlertmanagerNotifier({.url = am.url(),
                                             .firing_valid_for = std::chrono::minutes(10),
                                             .wall_nanos = [] { return kFiredAt; }});
  ASSERT_TRUE(valid_for.ok());
  ASSERT_TRUE((*valid_for)->Send({MakeAlert(AlertState::kFiring)}).status.ok());
  EXPECT_EQ(am.json(2)[0]["endsAt"], FormatRfc3339(kFiredAt + 600'000'000'000));
}

TEST(NotifiersFromEnvironmentTest, MakesOneNotifierPerVariable) {
  std::map<std::string, std::string, std::less<>> env = {
      {"TAI_ALERTMANAGER_URL", "http://127.0.0.1:9093"},
      {"TAI_ALERT_WEBHOOK_URL", "http://127.0.0.1:8080/hook"},
      {"TAI_SLACK_WEBHOOK_URL", std::string("https://hooks.slack.com") + kSlackPath},
      {"TAI_PAGERDUTY_ROUTING_KEY", kRoutingKey},
      {"TAI_PAGERDUTY_URL", "http://127.0.0.1:1/v2/enqueue"}};
  auto getenv = [&](std::string_view name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  auto notifiers = NotifiersFromEnvironment(getenv);
  ASSERT_TRUE(notifiers.ok()) << notifiers.status().ToString();
  std::vector<std::string> names, descriptions;
  for (const auto& n : *notifiers) {
    names.push_back(n->name());
    ExpectNoSecret(n->Describe());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"alertmanager", "webhook", "slack", "pagerduty"}));
  EXPECT_EQ(notifiers->back()->Describe(), "pagerduty http://127.0.0.1:1/…");

  env["TAI_SLACK_WEBHOOK_URL"] = std::string("hooks.slack.com") + kSlackPath;
  auto bad = NotifiersFromEnvironment(getenv);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("TAI_SLACK_WEBHOOK_URL"), std::string::npos);
  ExpectNoSecret(bad.status().message());

  env.erase("TAI_SLACK_WEBHOOK_URL");
  env["TAI_PAGERDUTY_URL"] = "not a url";
  auto bad_pd = NotifiersFromEnvironment(getenv);
  ASSERT_FALSE(bad_pd.ok());
  EXPECT_NE(bad_pd.status().message().find("TAI_PAGERDUTY_URL"), std::string::npos);

  env.erase("TAI_PAGERDUTY_ROUTING_KEY");
  env["TAI_PAGERDUTY_URL"] = "http://127.0.0.1:1/v2/enqueue";
  auto no_key = NotifiersFromEnvironment(getenv);
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("TAI_PAGERDUTY_ROUTING_KEY"), std::string::npos);

  auto none = NotifiersFromEnvironment([](std::string_view) { return std::string(" "); });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace tai

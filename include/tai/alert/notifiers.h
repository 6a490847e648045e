// The notifiers the library ships: a generic webhook (Alertmanager's webhook
// payload, so existing receivers accept it), Slack incoming webhooks,
// PagerDuty Events API v2 and Alertmanager's API v2. Each factory checks its
// options and returns a Notifier the NotificationDispatcher owns and calls
// from one thread at a time.
//
// Webhook URLs (Slack's path is the credential) and routing keys are
// secrets: no error, Describe() or log line of these notifiers holds them;
// URLs appear as RedactUrl() shows them.
//
// Factories and RedactUrl are free functions: thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/alert/notifier.h"
#include "tai/core/status.h"

namespace tai {

// "scheme://host[:port]/…": the URL with its user info, path, query and
// fragment masked, for messages. "[REDACTED]" when `url` is not a URL.
std::string RedactUrl(std::string_view url);

// POSTs Alertmanager's webhook payload (version "4": groupKey, status,
// receiver, groupLabels, commonLabels, commonAnnotations, externalURL,
// alerts[]) with every alert of a batch in one request.
struct WebhookNotifierOptions {
  std::string name = "webhook";  // the channel name rules use
  std::string url;               // required; http(s); a secret
  std::string receiver = "tai";  // the payload's "receiver"
  std::string external_url;      // the payload's "externalURL" (the dashboard); default none
  // Extra request headers (Authorization...); their values are secrets.
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};  // per request
};
Result<std::unique_ptr<Notifier>> MakeWebhookNotifier(WebhookNotifierOptions options);

// One Slack message per batch: state, severity, summary (the "summary"
// annotation, else the alertname) and a link to the dashboard for each
// alert. Slack accepts about one message a second per webhook, which
// min_send_interval() tells the dispatcher.
struct SlackNotifierOptions {
  std::string name = "slack";
  std::string webhook_url;  // required; https://hooks.slack.com/services/...; a secret
  std::chrono::milliseconds min_send_interval{1'000};  // 0 sends as fast as alerts come
  std::chrono::milliseconds timeout{10'000};
};
Result<std::unique_ptr<Notifier>> MakeSlackNotifier(SlackNotifierOptions options);

// One Events API v2 event per alert: trigger while firing, resolve once
// resolved, both with dedup_key = AlertFingerprint(labels) so PagerDuty
// closes the incident it opened. Severity from the alert's severity label:
// page -> critical, ticket -> warning, critical/error/warning/info as they
// are, anything else -> warning.
inline constexpr std::string_view kPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";
struct PagerDutyNotifierOptions {
  std::string name = "pagerduty";
  std::string routing_key;                             // required; the integration key; a secret
  std::string url = std::string(kPagerDutyEventsUrl);  // overridable for tests
  // payload.source when the alert has no instance, service or job label.
  std::string source = "tai-observability";
  std::chrono::milliseconds timeout{10'000};
};
Result<std::unique_ptr<Notifier>> MakePagerDutyNotifier(PagerDutyNotifierOptions options);

// POSTs the batch to <url>/api/v2/alerts: labels, annotations, startsAt,
// generatorURL, and endsAt = the resolution time once resolved. A firing
// alert carries no endsAt unless `firing_valid_for` is set, so Alertmanager
// resolves it by itself after its resolve_timeout (5m by default) unless it
// is sent again; set firing_valid_for when repeats are suppressed longer.
struct AlertmanagerNotifierOptions {
  std::string name = "alertmanager";
  std::string url;  // required; Alertmanager's base URL, "http://alertmanager:9093"
  std::chrono::milliseconds firing_valid_for{0};  // 0: no endsAt while firing
  std::chrono::milliseconds timeout{10'000};
  std::function<int64_t()> wall_nanos;  // now, for firing_valid_for; default WallNanos
};
Result<std::unique_ptr<Notifier>> MakeAlertmanagerNotifier(AlertmanagerNotifierOptions options);

// The notifiers the environment asks for, with default options:
//   TAI_ALERTMANAGER_URL       Alertmanager's base URL      -> "alertmanager"
//   TAI_ALERT_WEBHOOK_URL      a webhook receiver           -> "webhook"
//   TAI_SLACK_WEBHOOK_URL      a Slack incoming webhook     -> "slack"
//   TAI_PAGERDUTY_ROUTING_KEY  an Events v2 integration key -> "pagerduty"
//   TAI_PAGERDUTY_URL          the events endpoint (tests; needs the routing key)
// Unset or empty variables add nothing. Errors name the variable, never its value.
Result<std::vector<std::unique_ptr<Notifier>>> NotifiersFromEnvironment(
    const std::function<std::string(std::string_view)>& getenv);

// A notifier as a rule file names it (`notifiers:`, docs/alerting.md). The
// secret may stay in the environment, named by *_env:
//   notifiers:
//     - {name: oncall, type: pagerduty, routing_key_env: PAGERDUTY_KEY}
//     - {name: team-chat, type: slack, url_env: SLACK_WEBHOOK}
//     - {name: am, type: alertmanager, url: "http://127.0.0.1:9093"}
struct NotifierSpec {
  std::string name;             // the channel name rules use
  std::string type;             // alertmanager | webhook | slack | pagerduty
  std::string url;              // the receiver (pagerduty: the events endpoint, optional)
  std::string url_env;          // or the variable holding it
  std::string routing_key;      // pagerduty
  std::string routing_key_env;  // or the variable holding it
};

// OK when the name is set, the type known and the receiver given once
// (inline or by variable); else INVALID_ARGUMENT naming the field.
Status ValidateNotifierSpec(const NotifierSpec& spec);

// The notifier the spec describes, reading *_env variables through `getenv`;
// an unset variable is an error naming it (never a value).
Result<std::unique_ptr<Notifier>> MakeNotifier(
    const NotifierSpec& spec, const std::function<std::string(std::string_view)>& getenv);

}  // namespace tai

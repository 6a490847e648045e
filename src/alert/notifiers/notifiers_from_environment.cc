#include "alert/notifiers/http_notifier.h"
#include "core/text.h"
#include "tai/alert/notifiers.h"

namespace tai {
namespace {

// The factory's error, said of the variable; the factories never put the
// secret in a message, so theirs can be kept.
Status ForVariable(std::string_view variable, const Status& error) {
  return Status(error.code(), std::string(variable) + ": " + error.message());
}

}  // namespace

Result<std::vector<std::unique_ptr<Notifier>>> NotifiersFromEnvironment(
    const std::function<std::string(std::string_view)>& getenv) {
  auto get = [&](std::string_view name) { return std::string(internal::TrimSpaces(getenv(name))); };
  std::vector<std::unique_ptr<Notifier>> notifiers;
  auto add = [&](std::string_view variable, Result<std::unique_ptr<Notifier>> made) -> Status {
    if (!made.ok()) return ForVariable(variable, made.status());
    notifiers.push_back(std::move(made).value());
    return Status::Ok();
  };
  if (std::string url = get("TAI_ALERTMANAGER_URL"); !url.empty()) {
    TAI_RETURN_IF_ERROR(add("TAI_ALERTMANAGER_URL", MakeAlertmanagerNotifier({.url = url})));
  }
  if (std::string url = get("TAI_ALERT_WEBHOOK_URL"); !url.empty()) {
    TAI_RETURN_IF_ERROR(add("TAI_ALERT_WEBHOOK_URL", MakeWebhookNotifier({.url = url})));
  }
  if (std::string url = get("TAI_SLACK_WEBHOOK_URL"); !url.empty()) {
    TAI_RETURN_IF_ERROR(add("TAI_SLACK_WEBHOOK_URL", MakeSlackNotifier({.webhook_url = url})));
  }
  const std::string key = get("TAI_PAGERDUTY_ROUTING_KEY");
  const std::string pagerduty_url = get("TAI_PAGERDUTY_URL");
  if (!key.empty()) {
    PagerDutyNotifierOptions options{.routing_key = key};
    if (!pagerduty_url.empty()) {
      if (Status bad = internal::CheckNotifierUrl("pagerduty notifier url", pagerduty_url);
          !bad.ok()) {
        return ForVariable("TAI_PAGERDUTY_URL", bad);
      }
      options.url = pagerduty_url;
    }
    TAI_RETURN_IF_ERROR(
        add("TAI_PAGERDUTY_ROUTING_KEY", MakePagerDutyNotifier(std::move(options))));
  } else if (!pagerduty_url.empty()) {
    return InvalidArgumentError("TAI_PAGERDUTY_URL is set but TAI_PAGERDUTY_ROUTING_KEY is not");
  }
  return notifiers;
}

}  // namespace tai

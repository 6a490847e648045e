// PagerDuty Events API v2: one event per alert, deduplicated by fingerprint.
#include <cmath>
#include <nlohmann/json.hpp>

#include "alert/notifiers/http_notifier.h"
#include "core/text.h"
#include "tai/alert/notifiers.h"

namespace tai {
namespace {

using Json = nlohmann::ordered_json;

// PagerDuty knows four severities; ours are routing words (page, ticket).
std::string PagerDutySeverity(std::string_view label) {
  if (label == "page") return "critical";
  if (label == "ticket") return "warning";
  for (std::string_view known : {"critical", "error", "warning", "info"}) {
    if (label == known) return std::string(known);
  }
  return "warning";
}

std::string Source(const Alert& alert, const std::string& fallback) {
  for (std::string_view key : {"instance", "service", "job"}) {
    if (const std::string* value = alert.labels.Find(key); value != nullptr && !value->empty()) {
      return *value;
    }
  }
  return fallback;
}

std::string EventJson(const Alert& alert, const PagerDutyNotifierOptions& options) {
  const bool firing = alert.state != AlertState::kResolved;
  Json labels = Json::object(), annotations = Json::object();
  for (const auto& [key, value] : alert.labels.labels()) labels[key] = value;
  for (const auto& [key, value] : alert.annotations) annotations[key] = value;
  // JSON has no NaN or infinity; those go as text.
  std::string text;
  internal::AppendDouble(text, alert.value);
  Json value = std::isfinite(alert.value) ? Json(alert.value) : Json(text);
  Json event = {
      {"routing_key", options.routing_key},
      {"event_action", firing ? "trigger" : "resolve"},
      {"dedup_key", AlertFingerprint(alert.labels)},
      {"payload",
       {{"summary", internal::AlertSummary(alert).substr(0, 1024)},  // PagerDuty's limit
        {"source", Source(alert, options.source)},
        {"severity", PagerDutySeverity(AlertSeverityLabel(alert))},
        {"timestamp", internal::AlertTime(firing ? alert.fired_at_nanos : alert.resolved_at_nanos)},
        {"custom_details",
         {{"labels", std::move(labels)},
          {"annotations", std::move(annotations)},
          {"value", std::move(value)}}}}},
  };
  if (!alert.generator_url.empty()) {
    event["links"] = Json::array({{{"href", alert.generator_url}, {"text", "Dashboard"}}});
  }
  return event.dump(-1, ' ', false, Json::error_handler_t::replace);
}

class PagerDutyNotifier final : public internal::HttpNotifier {
 public:
  explicit PagerDutyNotifier(PagerDutyNotifierOptions options)
      : HttpNotifier(options.name, "pagerduty " + RedactUrl(options.url),
                     {options.routing_key, options.url}, options.timeout),
        options_(std::move(options)) {}

  size_t max_batch() const override { return 1; }
  // The Events API takes one event a request. Given more, the first
  // failure ends the batch: a retry sends it whole, which dedup_key makes
  // harmless.
  NotifyOutcome Send(const std::vector<Alert>& alerts) override {
    NotifyOutcome last;
    for (const Alert& alert : alerts) {
      last = PostJson(options_.url, EventJson(alert, options_));
      if (!last.status.ok()) return last;
    }
    return last;
  }

 private:
  const PagerDutyNotifierOptions options_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakePagerDutyNotifier(PagerDutyNotifierOptions options) {
  if (options.name.empty()) return InvalidArgumentError("pagerduty notifier: name is empty");
  if (options.routing_key.empty()) {
    return InvalidArgumentError("pagerduty notifier routing_key is required");
  }
  for (char c : options.routing_key) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == '\\') {
      return InvalidArgumentError(
          "pagerduty notifier routing_key holds a space, quote or control character");
    }
  }
  TAI_RETURN_IF_ERROR(internal::CheckNotifierUrl("pagerduty notifier url", options.url));
  return std::unique_ptr<Notifier>(new PagerDutyNotifier(std::move(options)));
}

}  // namespace tai

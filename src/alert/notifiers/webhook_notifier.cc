// The generic webhook: Alertmanager's webhook payload (version 4), so a
// receiver written for Alertmanager accepts our alerts unchanged.
#include <map>
#include <nlohmann/json.hpp>

#include "alert/notifiers/http_notifier.h"
#include "tai/alert/notifiers.h"

namespace tai {
namespace {

using Json = nlohmann::ordered_json;

Json LabelsJson(const LabelSet& labels) {
  Json out = Json::object();
  for (const auto& [key, value] : labels.labels()) out[key] = value;
  return out;
}

Json MapJson(const std::map<std::string, std::string>& map) {
  Json out = Json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

// The entries every map in `maps` holds with the same value.
std::map<std::string, std::string> Common(
    const std::vector<std::map<std::string, std::string>>& maps) {
  if (maps.empty()) return {};
  std::map<std::string, std::string> common = maps.front();
  for (size_t i = 1; i < maps.size(); ++i) {
    std::erase_if(common, [&](const auto& kv) {
      auto it = maps[i].find(kv.first);
      return it == maps[i].end() || it->second != kv.second;
    });
  }
  return common;
}

std::string WebhookPayload(const std::vector<Alert>& alerts,
                           const WebhookNotifierOptions& options) {
  std::vector<std::map<std::string, std::string>> labels, annotations;
  bool any_firing = false;
  Json list = Json::array();
  for (const Alert& alert : alerts) {
    const bool firing = alert.state != AlertState::kResolved;
    any_firing |= firing;
    labels.emplace_back(alert.labels.labels().begin(), alert.labels.labels().end());
    annotations.push_back(alert.annotations);
    list.push_back({
        {"status", firing ? "firing" : "resolved"},
        {"labels", LabelsJson(alert.labels)},
        {"annotations", MapJson(alert.annotations)},
        {"startsAt", internal::AlertTime(alert.fired_at_nanos)},
        {"endsAt", internal::AlertTime(firing ? 0 : alert.resolved_at_nanos)},
        {"generatorURL", alert.generator_url},
        {"fingerprint", AlertFingerprint(alert.labels)},
    });
  }
  const std::map<std::string, std::string> common_labels = Common(labels);
  // No route groups our alerts: a batch is grouped by its common alertname.
  std::map<std::string, std::string> group_labels;
  if (auto it = common_labels.find("alertname"); it != common_labels.end()) {
    group_labels.insert(*it);
  }
  std::string group_key = "{}:{";
  for (const auto& [key, value] : group_labels) group_key += key + "=\"" + value + "\"";
  group_key += "}";
  Json payload = {
      {"version", "4"},
      {"groupKey", group_key},
      {"truncatedAlerts", 0},
      {"status", any_firing ? "firing" : "resolved"},
      {"receiver", options.receiver},
      {"groupLabels", MapJson(group_labels)},
      {"commonLabels", MapJson(common_labels)},
      {"commonAnnotations", MapJson(Common(annotations))},
      {"externalURL", options.external_url},
      {"alerts", std::move(list)},
  };
  return payload.dump(-1, ' ', false, Json::error_handler_t::replace);
}

class WebhookNotifier final : public internal::HttpNotifier {
 public:
  WebhookNotifier(WebhookNotifierOptions options, std::vector<std::string> secrets)
      : HttpNotifier(options.name, "webhook " + RedactUrl(options.url), std::move(secrets),
                     options.timeout),
        options_(std::move(options)) {}

  NotifyOutcome Send(const std::vector<Alert>& alerts) override {
    if (alerts.empty()) return {};
    return PostJson(options_.url, WebhookPayload(alerts, options_), options_.headers);
  }

 private:
  const WebhookNotifierOptions options_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakeWebhookNotifier(WebhookNotifierOptions options) {
  if (options.name.empty()) return InvalidArgumentError("webhook notifier: name is empty");
  TAI_RETURN_IF_ERROR(internal::CheckNotifierUrl("webhook notifier url", options.url));
  std::vector<std::string> secrets = {options.url};
  // Header values (Authorization...) too; short ones would mangle every
  // message and guard nothing.
  for (const auto& [key, value] : options.headers) {
    if (value.size() >= 8) secrets.push_back(value);
  }
  return std::unique_ptr<Notifier>(new WebhookNotifier(std::move(options), std::move(secrets)));
}

}  // namespace tai

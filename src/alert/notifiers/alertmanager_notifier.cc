// Alertmanager's API v2: POST /api/v2/alerts, Alertmanager groups, routes,
// deduplicates and silences from there.
#include <nlohmann/json.hpp>

#include "alert/notifiers/http_notifier.h"
#include "tai/alert/notifiers.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

using Json = nlohmann::ordered_json;

std::string AlertsUrl(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!std::string_view(base).ends_with("/api/v2/alerts")) base += "/api/v2/alerts";
  return base;
}

class AlertmanagerNotifier final : public internal::HttpNotifier {
 public:
  explicit AlertmanagerNotifier(AlertmanagerNotifierOptions options)
      : HttpNotifier(options.name, "alertmanager " + RedactUrl(options.url), {options.url},
                     options.timeout),
        options_(std::move(options)),
        url_(AlertsUrl(options_.url)) {}

  NotifyOutcome Send(const std::vector<Alert>& alerts) override {
    if (alerts.empty()) return {};
    const int64_t now = options_.wall_nanos ? options_.wall_nanos() : WallNanos();
    Json list = Json::array();
    for (const Alert& alert : alerts) list.push_back(AlertJson(alert, now));
    return PostJson(url_, list.dump(-1, ' ', false, Json::error_handler_t::replace));
  }

 private:
  Json AlertJson(const Alert& alert, int64_t now) const {
    Json labels = Json::object(), annotations = Json::object();
    for (const auto& [key, value] : alert.labels.labels()) labels[key] = value;
    for (const auto& [key, value] : alert.annotations) annotations[key] = value;
    Json out = {{"labels", std::move(labels)}, {"annotations", std::move(annotations)}};
    const int64_t starts = alert.fired_at_nanos != 0 ? alert.fired_at_nanos : alert.active_at_nanos;
    if (starts != 0) out["startsAt"] = internal::AlertTime(starts);
    if (alert.state == AlertState::kResolved) {
      // Alertmanager resolves an alert whose endsAt has passed.
      out["endsAt"] =
          internal::AlertTime(alert.resolved_at_nanos != 0 ? alert.resolved_at_nanos : now);
    } else if (options_.firing_valid_for.count() > 0) {
      out["endsAt"] = internal::AlertTime(
          now +
          std::chrono::duration_cast<std::chrono::nanoseconds>(options_.firing_valid_for).count());
    }
    if (!alert.generator_url.empty()) out["generatorURL"] = alert.generator_url;
    return out;
  }

  const AlertmanagerNotifierOptions options_;
  const std::string url_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakeAlertmanagerNotifier(AlertmanagerNotifierOptions options) {
  if (options.name.empty()) return InvalidArgumentError("alertmanager notifier: name is empty");
  TAI_RETURN_IF_ERROR(internal::CheckNotifierUrl("alertmanager notifier url", options.url));
  if (options.firing_valid_for.count() < 0) {
    return InvalidArgumentError("alertmanager notifier firing_valid_for is negative");
  }
  return std::unique_ptr<Notifier>(new AlertmanagerNotifier(std::move(options)));
}

}  // namespace tai

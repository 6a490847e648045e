// Slack incoming webhooks: one message per batch, a section per alert.
#include <nlohmann/json.hpp>

#include "alert/notifiers/http_notifier.h"
#include "tai/alert/notifiers.h"

namespace tai {
namespace {

using Json = nlohmann::ordered_json;

// Slack allows 50 blocks a message; the rest are counted in a last block.
constexpr size_t kMaxAlertBlocks = 40;

// Slack's mrkdwn treats &, < and > as markup.
std::string SlackEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string AlertText(const Alert& alert) {
  const bool firing = alert.state != AlertState::kResolved;
  std::string text = firing ? ":red_circle: *FIRING*" : ":large_green_circle: *RESOLVED*";
  text += " · severity *" + SlackEscape(AlertSeverityLabel(alert)) + "*";
  if (const std::string* name = alert.labels.Find("alertname")) {
    text += " · " + SlackEscape(*name);
  }
  text += "\n" + SlackEscape(internal::AlertSummary(alert));
  if (!alert.generator_url.empty()) {
    std::string url = alert.generator_url;
    std::erase_if(url, [](char c) { return c == '|' || c == '<' || c == '>'; });
    text += "\n<" + url + "|Open in the dashboard>";
  }
  return text;
}

std::string SlackPayload(const std::vector<Alert>& alerts) {
  size_t firing = 0;
  for (const Alert& alert : alerts) firing += alert.state != AlertState::kResolved ? 1 : 0;
  // The notification text (phones, the sidebar): the one alert, or counts.
  std::string text;
  if (alerts.size() == 1) {
    text = std::string(firing ? "[FIRING] " : "[RESOLVED] ") + internal::AlertSummary(alerts[0]);
  } else {
    text = "[FIRING:" + std::to_string(firing) +
           ", RESOLVED:" + std::to_string(alerts.size() - firing) + "] alerts";
  }
  Json blocks = Json::array();
  for (size_t i = 0; i < alerts.size() && i < kMaxAlertBlocks; ++i) {
    blocks.push_back(
        {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", AlertText(alerts[i])}}}});
  }
  if (alerts.size() > kMaxAlertBlocks) {
    blocks.push_back({{"type", "context"},
                      {"elements",
                       {{{"type", "mrkdwn"},
                         {"text", "and " + std::to_string(alerts.size() - kMaxAlertBlocks) +
                                      " more alerts"}}}}});
  }
  Json payload = {{"text", text}, {"blocks", std::move(blocks)}};
  return payload.dump(-1, ' ', false, Json::error_handler_t::replace);
}

class SlackNotifier final : public internal::HttpNotifier {
 public:
  explicit SlackNotifier(SlackNotifierOptions options)
      : HttpNotifier(options.name, "slack " + RedactUrl(options.webhook_url), {options.webhook_url},
                     options.timeout),
        options_(std::move(options)) {}

  NotifyOutcome Send(const std::vector<Alert>& alerts) override {
    if (alerts.empty()) return {};
    return PostJson(options_.webhook_url, SlackPayload(alerts));
  }
  std::chrono::milliseconds min_send_interval() const override {
    return options_.min_send_interval;
  }

 private:
  const SlackNotifierOptions options_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakeSlackNotifier(SlackNotifierOptions options) {
  if (options.name.empty()) return InvalidArgumentError("slack notifier: name is empty");
  TAI_RETURN_IF_ERROR(
      internal::CheckNotifierUrl("slack notifier webhook_url", options.webhook_url));
  if (options.min_send_interval.count() < 0) {
    return InvalidArgumentError("slack notifier min_send_interval is negative");
  }
  return std::unique_ptr<Notifier>(new SlackNotifier(std::move(options)));
}

}  // namespace tai

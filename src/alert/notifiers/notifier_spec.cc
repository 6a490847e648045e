#include "alert/notifiers/http_notifier.h"
#include "tai/alert/notifiers.h"

namespace tai {
namespace {

Status FieldError(std::string_view field, const std::string& what) {
  return InvalidArgumentError("field '" + std::string(field) + "': " + what);
}

// One of `value` and `variable` (a secret kept in the environment).
Status OneOf(std::string_view field, const std::string& value, const std::string& variable,
             bool required) {
  if (!value.empty() && !variable.empty()) {
    return FieldError(
        field, "give '" + std::string(field) + "' or '" + std::string(field) + "_env', not both");
  }
  if (required && value.empty() && variable.empty()) {
    return FieldError(field, "required (or '" + std::string(field) + "_env')");
  }
  return Status::Ok();
}

// The value, or the variable's; an unset variable is an error naming it.
Result<std::string> Resolve(const std::string& value, const std::string& variable,
                            const std::function<std::string(std::string_view)>& getenv) {
  if (variable.empty()) return value;
  std::string v = getenv(variable);
  if (v.empty()) return FailedPreconditionError("variable " + variable + " is not set");
  return v;
}

}  // namespace

Status ValidateNotifierSpec(const NotifierSpec& spec) {
  if (spec.name.empty()) return FieldError("name", "required");
  const std::string& t = spec.type;
  if (t != "alertmanager" && t != "webhook" && t != "slack" && t != "pagerduty") {
    return FieldError("type", "'" + t + "' is not one of alertmanager, webhook, slack, pagerduty");
  }
  const bool pagerduty = t == "pagerduty";
  TAI_RETURN_IF_ERROR(OneOf("url", spec.url, spec.url_env, !pagerduty));
  TAI_RETURN_IF_ERROR(OneOf("routing_key", spec.routing_key, spec.routing_key_env, pagerduty));
  if (!pagerduty && !(spec.routing_key.empty() && spec.routing_key_env.empty())) {
    return FieldError("routing_key", "only a pagerduty notifier takes one");
  }
  if (!spec.url.empty()) {
    TAI_RETURN_IF_ERROR(internal::CheckNotifierUrl("field 'url'", spec.url));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Notifier>> MakeNotifier(
    const NotifierSpec& spec, const std::function<std::string(std::string_view)>& getenv) {
  TAI_RETURN_IF_ERROR(ValidateNotifierSpec(spec));
  TAI_ASSIGN_OR_RETURN(std::string url, Resolve(spec.url, spec.url_env, getenv));
  if (spec.type == "alertmanager") return MakeAlertmanagerNotifier({.name = spec.name, .url = url});
  if (spec.type == "webhook") return MakeWebhookNotifier({.name = spec.name, .url = url});
  if (spec.type == "slack") return MakeSlackNotifier({.name = spec.name, .webhook_url = url});
  TAI_ASSIGN_OR_RETURN(std::string key, Resolve(spec.routing_key, spec.routing_key_env, getenv));
  PagerDutyNotifierOptions options{.name = spec.name, .routing_key = key};
  if (!url.empty()) options.url = url;
  return MakePagerDutyNotifier(std::move(options));
}

}  // namespace tai

#include "tai/alert/alerting_rule.h"

#include <cstdio>

#include "core/enum_names.h"

namespace tai {
namespace {

constexpr internal::EnumNames<WindowAggregation, 10> kAggregationNames{{
    {WindowAggregation::kMean, "mean"},
    {WindowAggregation::kMax, "max"},
    {WindowAggregation::kMin, "min"},
    {WindowAggregation::kLast, "last"},
    {WindowAggregation::kP50, "p50"},
    {WindowAggregation::kP95, "p95"},
    {WindowAggregation::kP99, "p99"},
    {WindowAggregation::kRate, "rate"},
    {WindowAggregation::kIncrease, "increase"},
    {WindowAggregation::kCount, "count"},
}};

constexpr internal::EnumNames<NoDataPolicy, 3> kNoDataNames{{
    {NoDataPolicy::kKeepState, "keep_state"},
    {NoDataPolicy::kAlert, "alert"},
    {NoDataPolicy::kResolve, "resolve"},
}};

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '-';
}

std::string Seconds(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

std::string_view WindowAggregationName(WindowAggregation a) {
  return internal::NameOf(kAggregationNames, a, "unknown");
}

Result<WindowAggregation> ParseWindowAggregation(std::string_view name) {
  if (auto a = internal::ValueNamed(kAggregationNames, name)) return *a;
  if (internal::EqualsIgnoreCase(name, "avg")) return WindowAggregation::kMean;
  return InvalidArgumentError("aggregation '" + std::string(name) +
                              "': expected mean, max, min, last, p50, p95, p99, rate, increase "
                              "or count");
}

std::string_view NoDataPolicyName(NoDataPolicy p) {
  return internal::NameOf(kNoDataNames, p, "unknown");
}

Result<NoDataPolicy> ParseNoDataPolicy(std::string_view name) {
  if (auto p = internal::ValueNamed(kNoDataNames, name)) return *p;
  return InvalidArgumentError("no_data policy '" + std::string(name) +
                              "': expected keep_state, alert or resolve");
}

Status ValidateAlertingRule(const AlertingRule& rule) {
  auto error = [&](std::string_view field, const std::string& what) {
    return InvalidArgumentError("rule '" + rule.id + "': field '" + std::string(field) +
                                "': " + what);
  };
  if (rule.id.empty()) return error("id", "must not be empty");
  for (char c : rule.id) {
    if (!IsIdChar(c)) {
      return error("id",
                   "may hold only letters, digits and _ . : -, got '" + std::string(1, c) + "'");
    }
  }
  if (rule.metric_type.empty()) return error("metric_type", "must not be empty");
  if (rule.threshold != rule.threshold) return error("threshold", "must be a number, got NaN");
  if (rule.evaluation_window_secs < 1) {
    return error("evaluation_window_secs",
                 "must be at least 1, got " + std::to_string(rule.evaluation_window_secs));
  }
  if (rule.trigger_count < 1) {
    return error("trigger_count", "must be at least 1, got " + std::to_string(rule.trigger_count));
  }
  if (rule.interval < std::chrono::seconds(1)) {
    return error("interval", "must be at least 1s, got " + Seconds(rule.interval));
  }
  if (rule.for_duration.count() < 0) {
    return error("for_duration", "must not be negative, got " + Seconds(rule.for_duration));
  }
  if (rule.resolve_missing_after.count() <= 0) {
    return error("resolve_missing_after",
                 "must be positive, got " + Seconds(rule.resolve_missing_after));
  }
  if (rule.repeat_interval.count() <= 0) {
    return error("repeat_interval", "must be positive, got " + Seconds(rule.repeat_interval));
  }
  if (rule.per_series && !rule.group_by.empty()) {
    return error("per_series", "cannot be combined with group_by");
  }
  for (const std::string& key : rule.group_by) {
    if (key.empty()) return error("group_by", "holds an empty label name");
  }
  for (const LabelMatcher& m : rule.matchers) {
    if (m.key.empty()) return error("matchers", "a matcher has no label name");
  }
  for (const auto& [key, value] : rule.labels) {
    if (key.empty()) return error("labels", "holds an empty label name");
    if (key == "alertname") return error("labels", "'alertname' is set from display_name or id");
  }
  for (const std::string& channel : rule.notification_channels) {
    if (channel.empty()) return error("notification_channels", "holds an empty name");
  }
  return Status::Ok();
}

}  // namespace tai

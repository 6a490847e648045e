#include <algorithm>

#include "alert/rule_export_common.h"
#include "core/text.h"
#include "tai/alert/rule_export.h"
#include "tai/alert/slo_evaluator.h"

namespace tai {
namespace {

using internal::BurnThreshold;
using internal::CheckRule;
using internal::DescriptorFor;
using internal::ErrorRatioExpr;
using internal::GuessType;
using internal::HoldFor;
using internal::Json;
using internal::kNanosPerSecond;
using internal::LatencyBound;
using internal::MinEventsExpr;
using internal::Num;
using internal::PromDuration;
using internal::SloSeries;

// proto3 JSON Duration in whole seconds (rounded up), at least `min_seconds`.
std::string ProtoSeconds(std::chrono::nanoseconds d, int64_t min_seconds = 0) {
  const int64_t s = (d.count() + kNanosPerSecond - 1) / kNanosPerSecond;
  return std::to_string(std::max(s, min_seconds)) + "s";
}

// Cloud Monitoring takes condition durations and alignment periods in whole
// minutes only (alert.proto): rounded up, so a condition never holds for
// less than the rule asked.
std::string ProtoMinutes(std::chrono::nanoseconds d, int64_t min_minutes = 0) {
  const int64_t minute = 60 * kNanosPerSecond;
  const int64_t m = std::max((d.count() + minute - 1) / minute, min_minutes);
  return std::to_string(m * 60) + "s";
}

std::string CloudFilter(const std::string& metric, const std::vector<LabelMatcher>& matchers,
                        const CloudMonitoringExportOptions& o) {
  return internal::CloudFilter(metric, matchers, o.resource_filter);
}

struct CloudAggregation {
  std::string aligner;
  std::string reducer;  // "" for none
};

CloudAggregation CloudAggregationFor(const AlertingRule& r, bool histogram) {
  auto pick = [&](std::string aligner, std::string reducer) {
    return CloudAggregation{std::move(aligner), std::move(reducer)};
  };
  switch (r.aggregation) {
    case WindowAggregation::kMean:
    case WindowAggregation::kLast:
      return pick(histogram || r.aggregation == WindowAggregation::kMean ? "ALIGN_MEAN"
                                                                         : "ALIGN_NEXT_OLDER",
                  "REDUCE_MEAN");
    case WindowAggregation::kMax:
      return pick("ALIGN_MAX", "REDUCE_MAX");
    case WindowAggregation::kMin:
      return pick("ALIGN_MIN", "REDUCE_MIN");
    case WindowAggregation::kRate:
      return pick("ALIGN_RATE", "REDUCE_SUM");
    case WindowAggregation::kIncrease:
      return pick("ALIGN_DELTA", "REDUCE_SUM");
    case WindowAggregation::kCount:
      return pick(histogram ? "ALIGN_DELTA" : "ALIGN_COUNT",
                  histogram ? "REDUCE_COUNT" : "REDUCE_SUM");
    default:
      break;
  }
  const std::string p = r.aggregation == WindowAggregation::kP50   ? "50"
                        : r.aggregation == WindowAggregation::kP95 ? "95"
                                                                   : "99";
  // Across series, a percentile comes from the merged distributions.
  if (histogram && !(r.per_series && r.group_by.empty()))
    return pick("ALIGN_DELTA", "REDUCE_PERCENTILE_" + p);
  return pick("ALIGN_PERCENTILE_" + p, "REDUCE_MAX");
}

std::string CloudAggregationJson(const CloudAggregation& a, std::chrono::nanoseconds period,
                                 const std::vector<std::string>& group_by) {
  std::string out = "{\"alignmentPeriod\":" + Json(ProtoMinutes(period, 1)) +
                    ",\"perSeriesAligner\":" + Json(a.aligner);
  if (!a.reducer.empty()) {
    out += ",\"crossSeriesReducer\":" + Json(a.reducer);
    if (!group_by.empty()) {
      out += ",\"groupByFields\":[";
      for (size_t i = 0; i < group_by.size(); ++i) {
        out += (i ? "," : "") + Json("metric.label." + group_by[i]);
      }
      out += "]";
    }
  }
  return out + "}";
}

bool IsCloudChannel(const std::string& c) {
  const size_t mid = c.find("/notificationChannels/");
  return c.starts_with("projects/") && mid != std::string::npos && mid > 9 &&
         c.find('/', 9) == mid && c.size() > mid + 22 && c.find('/', mid + 22) == std::string::npos;
}

std::string ChannelsJson(const std::vector<std::string>& channels,
                         const CloudMonitoringExportOptions& o) {
  std::vector<std::string> picked;
  for (const std::string& c : channels) {
    if (IsCloudChannel(c)) picked.push_back(c);
  }
  if (picked.empty()) picked = o.default_notification_channels;
  std::string out = "[";
  for (size_t i = 0; i < picked.size(); ++i) out += (i ? "," : "") + Json(picked[i]);
  return out + "]";
}

std::string UserLabelsJson(const std::map<std::string, std::string>& labels,
                           const CloudMonitoringExportOptions& o) {
  std::map<std::string, std::string> all;
  for (const auto& [k, v] : o.user_labels)
    all[internal::GoogleLabelText(k)] = internal::GoogleLabelText(v);
  for (const auto& [k, v] : labels)
    all[internal::GoogleLabelText(k)] = internal::GoogleLabelText(v);
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : all) {
    if (k.empty()) continue;
    out += (first ? "" : ",") + Json(k) + ":" + Json(v);
    first = false;
  }
  return out + "}";
}

// Cloud Monitoring's severities; "" when the label names none of them.
std::string_view CloudSeverity(const std::map<std::string, std::string>& labels) {
  auto it = labels.find("severity");
  if (it == labels.end()) return "";
  const std::string s = internal::AsciiLower(it->second);
  if (s == "critical" || s == "page") return "CRITICAL";
  if (s == "error") return "ERROR";
  if (s == "warning" || s == "ticket" || s == "info") return "WARNING";
  return "";
}

std::string Documentation(const std::map<std::string, std::string>& annotations,
                          const std::string& fallback) {
  std::string content;
  for (const char* key : {"summary", "description", "runbook_url"}) {
    auto it = annotations.find(key);
    if (it != annotations.end()) content += (content.empty() ? "" : "\n\n") + it->second;
  }
  if (content.empty()) content = fallback;
  return "{\"content\":" + Json(content) + ",\"mimeType\":\"text/markdown\"}";
}

struct PolicyParts {
  std::string display_name;
  std::string documentation;            // JSON object
  std::vector<std::string> conditions;  // JSON objects
  std::string combiner;
  std::string channels;     // JSON array
  std::string user_labels;  // JSON object
  std::string_view severity;
};

std::string PolicyJson(const PolicyParts& p) {
  std::string out = "{\"displayName\":" + Json(p.display_name) +
                    ",\"documentation\":" + p.documentation + ",\"conditions\":[";
  for (size_t i = 0; i < p.conditions.size(); ++i) out += (i ? "," : "") + p.conditions[i];
  out += "],\"combiner\":" + Json(p.combiner) + ",\"notificationChannels\":" + p.channels +
         ",\"userLabels\":" + p.user_labels;
  if (!p.severity.empty()) out += ",\"severity\":" + Json(p.severity);
  return out + "}";
}

Result<std::string> CloudRulePolicy(const AlertingRule& r, const CloudMonitoringExportOptions& o) {
  TAI_RETURN_IF_ERROR(CheckRule(r));
  const MetricDescriptor d = DescriptorFor(o.metrics, r.metric_type, GuessType(r.aggregation));
  const bool histogram = d.value_type == MetricType::kDistribution;
  CloudAggregation agg = CloudAggregationFor(r, histogram);
  if (r.per_series && r.group_by.empty()) agg.reducer.clear();
  const std::string name = r.display_name.empty() ? r.id : r.display_name;
  const std::string condition =
      "{\"displayName\":" + Json(name) +
      ",\"conditionThreshold\":{\"filter\":" + Json(CloudFilter(r.metric_type, r.matchers, o)) +
      ",\"aggregations\":[" +
      CloudAggregationJson(agg, std::chrono::seconds(r.evaluation_window_secs), r.group_by) +
      "],\"comparison\":" + Json(ComparisonApiName(r.comparison_operator)) +
      ",\"thresholdValue\":" + Num(r.threshold) +
      ",\"duration\":" + Json(ProtoMinutes(HoldFor(r))) + ",\"trigger\":{\"count\":1}}}";
  return PolicyJson({.display_name = name,
                     .documentation = Documentation(
                         r.annotations, "Alerting rule " + r.id + " on " + r.metric_type),
                     .conditions = {condition},
                     .combiner = "OR",
                     .channels = ChannelsJson(r.notification_channels, o),
                     .user_labels = UserLabelsJson(r.labels, o),
                     .severity = CloudSeverity(r.labels)});
}

// Cloud Monitoring's PromQL name of a metric type: the first '/' becomes
// ':', every other character outside [A-Za-z0-9_:] '_'
// (custom.googleapis.com/app/latency -> custom_googleapis_com:app_latency).
std::string CloudPromName(const std::string& metric) {
  const std::string type = CloudMonitoringMetricType(metric);
  std::string out;
  bool colon = false;
  for (char c : type) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (c == '/' && !colon) {
      out += ':';
      colon = true;
    } else {
      out += ok ? c : '_';
    }
  }
  return out;
}

std::string RatioCondition(const Slo& slo, const BurnRateAlert& a, std::chrono::nanoseconds w,
                           const CloudMonitoringExportOptions& o) {
  const bool good = slo.kind == SliKind::kGoodRatio;
  const CloudAggregation delta{"ALIGN_DELTA", "REDUCE_SUM"};
  const std::string agg = "[" + CloudAggregationJson(delta, w, {}) + "]";
  return "{\"displayName\":" +
         Json((good ? "good ratio over " : "error ratio over ") + PromDuration(w) +
              (good ? " < 1 - " : " > ") + Num(a.factor) + "x budget") +
         ",\"conditionThreshold\":{\"filter\":" +
         Json(CloudFilter(good ? slo.good_metric : slo.bad_metric, slo.matchers, o)) +
         ",\"aggregations\":" + agg +
         ",\"denominatorFilter\":" + Json(CloudFilter(slo.total_metric, slo.matchers, o)) +
         ",\"denominatorAggregations\":" + agg +
         ",\"comparison\":" + Json(good ? "COMPARISON_LT" : "COMPARISON_GT") +
         ",\"thresholdValue\":" +
         Num(good ? 1 - a.factor * slo.error_budget : a.factor * slo.error_budget) +
         ",\"duration\":\"0s\",\"trigger\":{\"count\":1}}}";
}

std::string MinEventsCondition(const Slo& slo, const BurnRateAlert& a,
                               const CloudMonitoringExportOptions& o) {
  const CloudAggregation delta{"ALIGN_DELTA", "REDUCE_SUM"};
  return "{\"displayName\":" +
         Json("at least " + std::to_string(slo.min_events) + " events over " +
              PromDuration(a.long_window)) +
         ",\"conditionThreshold\":{\"filter\":" +
         Json(CloudFilter(slo.total_metric, slo.matchers, o)) + ",\"aggregations\":[" +
         CloudAggregationJson(delta, a.long_window, {}) +
         "],\"comparison\":\"COMPARISON_GE\",\"thresholdValue\":" + std::to_string(slo.min_events) +
         ",\"duration\":\"0s\",\"trigger\":{\"count\":1}}}";
}

Result<std::string> LatencyCondition(const Slo& slo, const BurnRateAlert& a,
                                     const CloudMonitoringExportOptions& o) {
  TAI_ASSIGN_OR_RETURN(double bound, LatencyBound(o.metrics, slo));
  const std::string name = CloudPromName(slo.metric);
  // Cloud Monitoring keeps the metric's own unit: no scaling of the bound.
  const SloSeries s{.bucket = name + "_bucket", .count = name + "_count", .le = Num(bound)};
  std::string query = "(" + ErrorRatioExpr(slo, s, a.long_window) + ") > " + BurnThreshold(slo, a) +
                      " and (" + ErrorRatioExpr(slo, s, a.short_window) + ") > " +
                      BurnThreshold(slo, a);
  const std::string min_events = MinEventsExpr(slo, s, a.long_window);
  if (!min_events.empty()) query += " and on() " + min_events;
  return "{\"displayName\":" + Json(BurnRateAlertSummary(slo, a)) +
         ",\"conditionPrometheusQueryLanguage\":{\"query\":" + Json(query) +
         ",\"duration\":\"0s\",\"evaluationInterval\":" + Json(ProtoSeconds(slo.interval, 1)) +
         "}}";
}

Result<std::string> CloudBurnPolicy(const Slo& slo, const BurnRateAlert& a,
                                    const CloudMonitoringExportOptions& o) {
  PolicyParts p{.display_name = BurnRateAlertName(slo) + " " + Num(a.factor) + "x (" +
                                PromDuration(a.long_window) + "/" + PromDuration(a.short_window) +
                                ")",
                .documentation = Documentation(slo.annotations, BurnRateAlertSummary(slo, a)),
                .channels = ChannelsJson(slo.notification_channels, o),
                .user_labels = UserLabelsJson(BurnRateAlertLabels(slo, a), o),
                .severity = CloudSeverity(BurnRateAlertLabels(slo, a))};
  if (slo.kind == SliKind::kLatency) {
    TAI_ASSIGN_OR_RETURN(std::string c, LatencyCondition(slo, a, o));
    p.conditions.push_back(std::move(c));
    p.combiner = "OR";
  } else {
    p.conditions.push_back(RatioCondition(slo, a, a.long_window, o));
    p.conditions.push_back(RatioCondition(slo, a, a.short_window, o));
    if (slo.min_events > 0) p.conditions.push_back(MinEventsCondition(slo, a, o));
    p.combiner = "AND";
  }
  return PolicyJson(p);
}

}  // namespace

Result<std::vector<std::string>> ExportCloudMonitoringPolicies(
    const std::vector<AlertingRule>& rules, const std::vector<Slo>& slos,
    const CloudMonitoringExportOptions& options) {
  std::vector<std::string> out;
  for (const AlertingRule& r : rules) {
    TAI_ASSIGN_OR_RETURN(std::string policy, CloudRulePolicy(r, options));
    out.push_back(std::move(policy));
  }
  for (const Slo& slo : slos) {
    TAI_RETURN_IF_ERROR(ValidateSlo(slo));
    for (const BurnRateAlert& a : slo.burn_rate_alerts) {
      TAI_ASSIGN_OR_RETURN(std::string policy, CloudBurnPolicy(slo, a, options));
      out.push_back(std::move(policy));
    }
  }
  return out;
}

}  // namespace tai

#include "dashboard/api_json.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <optional>

#include "tai/alert/slo.h"
#include "tai/alert/slo_evaluator.h"
#include "tai/analysis/flame_graph.h"
#include "tai/core/clock.h"
#include "tai/core/comparison.h"
#include "tai/log/log_level.h"
#include "tai/trace/span_sink.h"

namespace tai::internal {
namespace {

using nlohmann::json;

json StringMapJson(const std::map<std::string, std::string>& map) {
  json out = json::object();
  for (const auto& [k, v] : map) out[k] = v;
  return out;
}

double Seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

json HotPathsJson(const std::vector<HotPath>& paths) {
  json out = json::array();
  for (const HotPath& p : paths) out.push_back({{"function", p.function}, {"value", p.cpu_micros}});
  return out;
}

// One frame of the flame graph tree while it is built; `base` is the
// baseline's value in a differential tree.
struct TreeNode {
  int64_t value = 0;
  int64_t base = 0;
  std::map<std::string, std::unique_ptr<TreeNode>> children;
};

// Adds the profile's stacks (values in HotPath's unit) to the tree's
// values, or to its baseline values.
void AddTreeStacks(const Profile& profile, size_t max_depth, bool into_base, TreeNode& root) {
  const int index = profile.DefaultValueIndex();
  for (const ProfileSample& sample : profile.samples) {
    if (index < 0 || static_cast<size_t>(index) >= sample.values.size()) continue;
    const int64_t value = profile.ToReportUnit(sample.values[static_cast<size_t>(index)]);
    if (value <= 0) continue;
    (into_base ? root.base : root.value) += value;
    TreeNode* node = &root;
    std::vector<std::string> stack = profile.StackNames(sample);
    if (stack.size() > max_depth) stack.resize(max_depth);
    for (std::string& frame : stack) {
      std::unique_ptr<TreeNode>& child = node->children[std::move(frame)];
      if (!child) child = std::make_unique<TreeNode>();
      (into_base ? child->base : child->value) += value;
      node = child.get();
    }
  }
}

// d3-flame-graph's node; with a `baseline_scale` also its differential
// field: delta = value - baseline value * scale. Frames only the baseline
// has cost nothing now and are left out (the graph is sized by the current
// profile).
json TreeJson(const std::string& name, const TreeNode& node,
              std::optional<double> baseline_scale = std::nullopt) {
  json children = json::array();
  for (const auto& [child_name, child] : node.children) {
    if (baseline_scale && child->value == 0) continue;
    children.push_back(TreeJson(child_name, *child, baseline_scale));
  }
  json out = {{"name", name}, {"value", node.value}, {"children", std::move(children)}};
  if (baseline_scale) {
    out["delta"] = node.value - std::llround(static_cast<double>(node.base) * *baseline_scale);
  }
  return out;
}

// The /api/metrics/range parameters that answer one select of a panel
// query: rate and increase sum the series (as the exports do), a percentile
// merges the histograms, avg/max/min/sum combine the last values.
json RangeParamsJson(const MetricSelect& select) {
  json out = {{"metric", select.metric}, {"fn", "last"}, {"across", "none"}};
  switch (select.function) {
    case QueryFunction::kLast:
      break;
    case QueryFunction::kRate:
    case QueryFunction::kIncrease:
      out["fn"] = QueryFunctionName(select.function);
      out["across"] = "sum";
      break;
    case QueryFunction::kAvg:
    case QueryFunction::kMax:
    case QueryFunction::kMin:
    case QueryFunction::kSum:
      out["across"] = QueryFunctionName(select.function);
      break;
    case QueryFunction::kPercentile:
      out["fn"] = "quantile";
      out["q"] = select.percentile / 100;
      out["across"] = "sum";
      break;
  }
  return out;
}

}  // namespace

std::string DumpJsonForWeb(const json& value) {
  const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  // Outside strings JSON has none of these characters, so every one found
  // is inside a string, where the \u escape means the same character.
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out += c;
    }
  }
  return out;
}

json LabelsJson(const LabelSet& labels) {
  json out = json::object();
  for (const auto& [k, v] : labels.labels()) out[k] = v;
  return out;
}

json TimeJson(int64_t unix_nanos) {
  if (unix_nanos == 0) return nullptr;
  return FormatRfc3339(unix_nanos);
}

std::string_view StoreTierName(StoreTier tier) {
  switch (tier) {
    case StoreTier::kRaw:
      return "raw";
    case StoreTier::kHourly:
      return "hourly";
    case StoreTier::kDaily:
      return "daily";
  }
  return "raw";
}

json MetricRangeJson(const MetricRangeQuery& query, const MetricRangeResult& result) {
  json series = json::array();
  for (const MetricSeries& s : result.series) {
    json times = json::array();
    json values = json::array();
    for (const SeriesPoint& p : s.points) {
      times.push_back(static_cast<double>(p.time_nanos) / 1e9);
      values.push_back(p.value);  // NaN becomes null
    }
    series.push_back({{"labels", LabelsJson(s.labels)},
                      {"times", std::move(times)},
                      {"values", std::move(values)}});
  }
  return json{{"metric", query.metric},
              {"start", TimeJson(query.start_nanos)},
              {"end", TimeJson(query.end_nanos)},
              {"step_seconds", static_cast<double>(query.step_nanos) / 1e9},
              {"fn", NameOf(kStepFunctionNames, query.function, "last")},
              {"across", NameOf(kAcrossNames, query.across, "none")},
              {"tier", StoreTierName(result.tier)},
              {"series", std::move(series)}};
}

json SpanJson(const StoredSpan& stored) {
  Resource resource;
  resource.service_name = stored.service;
  // The stdout sink's line is the span's one JSON spelling in the library.
  json out = json::parse(SpanToJsonLine(stored.span, resource), nullptr, false);
  if (out.is_discarded()) {
    out = {{"trace_id", stored.span.context.trace_id.ToHex()},
           {"span_id", stored.span.context.span_id.ToHex()},
           {"name", stored.span.name},
           {"service", stored.service}};
  }
  out["start_unix_nanos"] = stored.span.start_unix_nanos;
  out["end_unix_nanos"] = stored.span.end_unix_nanos;
  return out;
}

json LogJson(const StoredLog& log) {
  json fields = json::parse(log.fields_json, nullptr, false);
  if (fields.is_discarded()) fields = json::object();
  json out = {{"time", TimeJson(log.time_nanos)},
              {"time_unix_nanos", log.time_nanos},
              {"level", LogLevelName(log.level)},
              {"logger", log.logger},
              {"service", log.service},
              {"message", log.message},
              {"fields", std::move(fields)},
              {"file", log.file},
              {"line", log.line},
              {"thread_id", log.thread_id}};
  out["trace_id"] = log.trace_id.valid() ? json(log.trace_id.ToHex()) : json(nullptr);
  out["span_id"] = log.span_id.valid() ? json(log.span_id.ToHex()) : json(nullptr);
  return out;
}

json ProfileInfoJson(const StoredProfileInfo& info) {
  return {{"row_id", info.row_id},
          {"profile_id", info.profile_id},
          {"service", info.service},
          {"kind", info.kind},
          {"version", info.version},
          {"time", TimeJson(info.time_nanos)},
          {"time_unix_nanos", info.time_nanos},
          {"duration_seconds", static_cast<double>(info.duration_nanos) / 1e9},
          {"labels", StringMapJson(info.labels)},
          {"pinned", info.pinned},
          {"bytes", info.bytes}};
}

json ProfileSummaryJson(int64_t row_id, const Profile& profile, size_t hot_functions) {
  json sample_types = json::array();
  for (const ValueType& t : profile.sample_types) {
    sample_types.push_back({{"type", t.type}, {"unit", t.unit}});
  }
  const int index = profile.DefaultValueIndex();
  std::string unit = "count";
  if (index >= 0) {
    unit = profile.sample_types[static_cast<size_t>(index)].unit;
    if (unit == "nanoseconds") unit = "microseconds";  // HotPath's unit
  }
  return {{"row_id", row_id},
          {"time", TimeJson(profile.time_nanos)},
          {"time_unix_nanos", profile.time_nanos},
          {"duration_seconds", static_cast<double>(profile.duration_nanos) / 1e9},
          {"sample_types", std::move(sample_types)},
          {"default_sample_type", index >= 0 ? json(index) : json(nullptr)},
          {"unit", unit},
          {"total", profile.ToReportUnit(profile.TotalValue())},
          {"samples", profile.samples.size()},
          {"hot_functions", HotPathsJson(profile.HotPaths(hot_functions))},
          {"hot_functions_cumulative", HotPathsJson(profile.HotPathsCumulative(hot_functions))}};
}

json FlameGraphTreeJson(const Profile& profile, size_t max_depth) {
  TreeNode root;
  AddTreeStacks(profile, max_depth, false, root);
  return TreeJson("root", root);
}

json DifferentialFlameGraphTreeJson(const Profile& baseline, const Profile& current,
                                    size_t max_depth) {
  TreeNode root;
  AddTreeStacks(current, max_depth, false, root);
  AddTreeStacks(baseline, max_depth, true, root);
  return TreeJson("root", root, DifferentialBaselineScale(baseline, current));
}

json AlertJson(const Alert& alert) {
  return {{"rule_id", alert.rule_id},
          {"fingerprint", AlertFingerprint(alert.labels)},
          {"state", AlertStateName(alert.state)},
          {"severity", AlertSeverityLabel(alert)},
          {"labels", LabelsJson(alert.labels)},
          {"annotations", StringMapJson(alert.annotations)},
          {"value", alert.value},
          {"active_at", TimeJson(alert.active_at_nanos)},
          {"fired_at", TimeJson(alert.fired_at_nanos)},
          {"resolved_at", TimeJson(alert.resolved_at_nanos)},
          {"acknowledged", alert.acknowledged_at_nanos != 0},
          {"acknowledged_at", TimeJson(alert.acknowledged_at_nanos)},
          {"generator_url", alert.generator_url}};
}

json AlertEventJson(const AlertEventRecord& event) {
  return {{"time", TimeJson(event.time_nanos)},
          {"time_unix_nanos", event.time_nanos},
          {"rule_id", event.rule_id},
          {"fingerprint", event.fingerprint},
          {"labels", LabelsJson(event.labels)},
          {"state", event.state},
          {"value", event.value},
          {"annotations", StringMapJson(event.annotations)}};
}

json NotificationJson(const NotificationAttempt& attempt) {
  return {{"time", TimeJson(attempt.time_nanos)}, {"time_unix_nanos", attempt.time_nanos},
          {"notifier", attempt.notifier},         {"fingerprint", attempt.fingerprint},
          {"rule_id", attempt.rule_id},           {"state", attempt.state},
          {"attempt", attempt.attempt},           {"ok", attempt.ok},
          {"http_status", attempt.http_status},   {"error", attempt.error}};
}

std::string MatcherText(const LabelMatcher& matcher) {
  return matcher.key + std::string(LabelMatcherSymbol(matcher.op)) + json(matcher.value).dump();
}

json RuleJson(const AlertingRule& rule) {
  json matchers = json::array();
  for (const LabelMatcher& m : rule.matchers) matchers.push_back(MatcherText(m));
  return {{"id", rule.id},
          {"display_name", rule.display_name.empty() ? rule.id : rule.display_name},
          {"metric_type", rule.metric_type},
          {"threshold", rule.threshold},
          {"comparison", ComparisonApiName(rule.comparison_operator)},
          {"evaluation_window_secs", rule.evaluation_window_secs},
          {"trigger_count", rule.trigger_count},
          {"aggregation", WindowAggregationName(rule.aggregation)},
          {"matchers", std::move(matchers)},
          {"group_by", rule.group_by},
          {"per_series", rule.per_series},
          {"interval_secs", Seconds(rule.interval)},
          {"for_secs", Seconds(rule.for_duration)},
          {"no_data", NoDataPolicyName(rule.no_data)},
          {"labels", StringMapJson(rule.labels)},
          {"annotations", StringMapJson(rule.annotations)},
          {"notification_channels", rule.notification_channels}};
}

namespace {

json CountsJson(const SliCounts& c) {
  return {{"good", c.good},
          {"total", c.total},
          {"error_ratio", c.error_ratio()},
          {"coverage", c.coverage}};
}

}  // namespace

json SloStatusJson(const SloStatus& status) {
  const Slo& slo = status.slo;
  const ErrorBudget& b = status.budget;
  json windows = json::array();
  for (const BurnRateStatus& w : status.burn_rates) {
    windows.push_back({{"factor", w.alert.factor},
                       {"severity", w.alert.severity},
                       {"long_window_secs", Seconds(w.alert.long_window)},
                       {"short_window_secs", Seconds(w.alert.short_window)},
                       {"long", CountsJson(w.long_counts)},
                       {"short", CountsJson(w.short_counts)},
                       {"long_burn_rate", w.long_burn_rate},
                       {"short_burn_rate", w.short_burn_rate},
                       {"holds", w.holds}});
  }
  json out = {{"id", SloId(slo)},
              {"display_name", slo.display_name.empty() ? SloId(slo) : slo.display_name},
              {"kind", SliKindName(slo.kind)},
              {"metric", slo.metric},
              {"threshold", slo.threshold},
              {"window_secs", Seconds(slo.window)},
              {"objective", b.objective},
              {"evaluated", status.evaluated_at_nanos != 0},
              {"burn_rate_windows", std::move(windows)},
              {"error", status.error}};
  if (status.evaluated_at_nanos != 0) {
    out["evaluated_at"] = TimeJson(status.evaluated_at_nanos);
    // PASS while the window's good fraction meets the objective.
    out["passing"] = b.sli >= b.objective;
    out["budget"] = {{"sli", b.sli},
                     {"good_events", b.good_events},
                     {"total_events", b.total_events},
                     {"total", b.total_budget},
                     {"consumed", b.consumed},
                     {"remaining", b.remaining},
                     {"remaining_fraction", b.remaining_fraction},
                     {"burn_rate", b.burn_rate},
                     {"data_coverage", b.data_coverage}};
  }
  return out;
}

json DashboardJson(const DashboardConfig& config) {
  json out = json::parse(DashboardConfigToJson(config));
  out["refresh_seconds"] = static_cast<double>(config.refresh_interval.count()) / 1000;
  for (size_t r = 0; r < config.rows.size(); ++r) {
    for (size_t p = 0; p < config.rows[r].panels.size(); ++p) {
      const DashboardPanel& panel = config.rows[r].panels[p];
      if (!IsMetricVisualization(panel.visualization)) continue;
      json series = {{"numerator", RangeParamsJson(panel.parsed.numerator)},
                     {"scale", panel.parsed.scale}};
      if (panel.parsed.denominator) {
        series["denominator"] = RangeParamsJson(*panel.parsed.denominator);
      }
      out["rows"][r]["panels"][p]["series"] = std::move(series);
    }
  }
  return out;
}

}  // namespace tai::internal

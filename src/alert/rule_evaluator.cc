#include "alert/rule_evaluator.h"

#include <algorithm>
#include <limits>
#include <map>

namespace tai::internal {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

struct QueryPlan {
  StepFunction function;
  double quantile = 0;
  SeriesAggregation combine;  // how series of one group combine
};

QueryPlan PlanFor(WindowAggregation a) {
  switch (a) {
    case WindowAggregation::kMean:
      return {StepFunction::kAvg, 0, SeriesAggregation::kAvg};
    case WindowAggregation::kMax:
      return {StepFunction::kMax, 0, SeriesAggregation::kMax};
    case WindowAggregation::kMin:
      return {StepFunction::kMin, 0, SeriesAggregation::kMin};
    case WindowAggregation::kLast:
      return {StepFunction::kLast, 0, SeriesAggregation::kAvg};
    case WindowAggregation::kP50:
      return {StepFunction::kQuantile, 0.5, SeriesAggregation::kMax};
    case WindowAggregation::kP95:
      return {StepFunction::kQuantile, 0.95, SeriesAggregation::kMax};
    case WindowAggregation::kP99:
      return {StepFunction::kQuantile, 0.99, SeriesAggregation::kMax};
    case WindowAggregation::kRate:
      return {StepFunction::kRate, 0, SeriesAggregation::kSum};
    case WindowAggregation::kIncrease:
      return {StepFunction::kIncrease, 0, SeriesAggregation::kSum};
    case WindowAggregation::kCount:
      return {StepFunction::kCount, 0, SeriesAggregation::kSum};
  }
  return {StepFunction::kAvg, 0, SeriesAggregation::kAvg};
}

struct Group {
  LabelSet labels;
  std::vector<double> values;
  double events = 0;
};

LabelSet GroupOf(const AlertingRule& rule, const LabelSet& series) {
  if (rule.per_series) return series;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& key : rule.group_by) {
    if (const std::string* v = series.Find(key)) pairs.emplace_back(key, *v);
  }
  return LabelSet::FromPairs(std::move(pairs));
}

double Combine(SeriesAggregation how, const std::vector<double>& values) {
  double out = values.front();
  for (size_t i = 1; i < values.size(); ++i) {
    const double v = values[i];
    switch (how) {
      case SeriesAggregation::kMax:
        out = std::max(out, v);
        break;
      case SeriesAggregation::kMin:
        out = std::min(out, v);
        break;
      default:  // sums; the average divides below
        out += v;
    }
  }
  if (how == SeriesAggregation::kAvg) out /= static_cast<double>(values.size());
  return out;
}

// The single step of each series; a metric never stored has no series.
Result<std::vector<MetricSeries>> QueryWindow(const Store& store, const MetricRangeQuery& q) {
  auto r = store.QueryRange(q);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) return std::vector<MetricSeries>{};
    return r.status();
  }
  return std::move(r->series);
}

}  // namespace

Result<std::vector<Observation>> EvaluateRule(const Store& store, const AlertingRule& rule,
                                              int64_t now) {
  const QueryPlan plan = PlanFor(rule.aggregation);
  const int64_t window = rule.evaluation_window_secs * kNanosPerSecond;
  // (now - window, now]: a point collected at `now` counts.
  MetricRangeQuery q{.metric = rule.metric_type,
                     .matchers = rule.matchers,
                     .start_nanos = now + 1 - window,
                     .end_nanos = now + 1,
                     .step_nanos = window,
                     .function = plan.function,
                     .quantile = plan.quantile};
  TAI_ASSIGN_OR_RETURN(std::vector<MetricSeries> series, QueryWindow(store, q));
  std::map<std::string, Group> groups;  // by the group labels' text
  for (const MetricSeries& s : series) {
    if (s.points.empty()) continue;
    LabelSet labels = GroupOf(rule, s.labels);
    Group& g = groups[labels.ToString()];
    g.labels = std::move(labels);
    g.values.push_back(s.points.back().value);
  }
  if (rule.min_events > 0) {
    // Histograms count observations, counters their increase, gauges points.
    MetricRangeQuery events = q;
    const bool counter = rule.aggregation == WindowAggregation::kRate ||
                         rule.aggregation == WindowAggregation::kIncrease;
    events.function = counter ? StepFunction::kIncrease : StepFunction::kCount;
    TAI_ASSIGN_OR_RETURN(std::vector<MetricSeries> counted, QueryWindow(store, events));
    for (const MetricSeries& s : counted) {
      auto it = groups.find(GroupOf(rule, s.labels).ToString());
      if (it != groups.end() && !s.points.empty()) it->second.events += s.points.back().value;
    }
  }
  const bool merged_quantile = plan.function == StepFunction::kQuantile && !rule.per_series;
  std::vector<Observation> out;
  for (auto& [key, g] : groups) {
    double value = Combine(plan.combine, g.values);
    if (merged_quantile && g.values.size() > 1) {
      MetricRangeQuery per_group = q;
      per_group.across = SeriesAggregation::kMax;
      for (const std::string& k : rule.group_by) {
        const std::string* v = g.labels.Find(k);
        per_group.matchers.push_back({k, LabelMatcher::Op::kEqual, v ? *v : ""});
      }
      TAI_ASSIGN_OR_RETURN(std::vector<MetricSeries> merged, QueryWindow(store, per_group));
      if (!merged.empty() && !merged.front().points.empty()) {
        value = merged.front().points.back().value;
      }
    }
    Observation o{.labels = g.labels, .value = value};
    if (rule.min_events > 0 && g.events < static_cast<double>(rule.min_events)) {
      o.no_data = true;
    } else {
      o.holds = Compare(value, rule.comparison_operator, rule.threshold);
    }
    out.push_back(std::move(o));
  }
  if (out.empty() && !rule.per_series && rule.group_by.empty()) {
    out.push_back({.value = std::numeric_limits<double>::quiet_NaN(), .no_data = true});
  }
  return out;
}

}  // namespace tai::internal

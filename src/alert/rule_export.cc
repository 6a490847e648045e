#include "tai/alert/rule_export.h"

#include <set>

#include "alert/rule_export_common.h"
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
using internal::LatencyBound;
using internal::MinEventsExpr;
using internal::Num;
using internal::PromDuration;
using internal::PromSelector;
using internal::QuantileOf;
using internal::Range;
using internal::SloSeries;

using internal::PromMetric;

PromMetric PromMetricFor(const PrometheusExportOptions& o, const std::string& metric,
                         MetricType guess) {
  return internal::PromMetricOf(o.metrics, o.units, metric, guess);
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(sep) : "") + parts[i];
  return out;
}

// `how by (g) (inner)`, or `inner` alone for per-series rules.
std::string Reduce(const AlertingRule& r, std::string_view how, const std::string& inner,
                   std::vector<std::string> extra_by = {}) {
  if (r.per_series && r.group_by.empty() && extra_by.empty()) return inner;
  std::vector<std::string> by = std::move(extra_by);
  by.insert(by.end(), r.group_by.begin(), r.group_by.end());
  std::string out(how);
  if (!by.empty()) out += " by (" + Join(by, ", ") + ") ";
  return out + "(" + inner + ")";
}

std::string HistogramQuantile(const AlertingRule& r, const PromMetric& m, double q,
                              std::chrono::nanoseconds w) {
  const std::string rate = "rate(" + Range(PromSelector(m.Series("_bucket"), r.matchers), w) + ")";
  const std::string buckets =
      r.per_series && r.group_by.empty() ? rate : Reduce(r, "sum", rate, {"le"});
  return "histogram_quantile(" + Num(q) + ", " + buckets + ")";
}

std::string HistogramExpr(const AlertingRule& r, const PromMetric& m, std::chrono::nanoseconds w) {
  if (auto q = QuantileOf(r.aggregation)) return HistogramQuantile(r, m, *q, w);
  auto over = [&](std::string_view fn, std::string_view suffix) {
    return std::string(fn) + "(" + Range(PromSelector(m.Series(suffix), r.matchers), w) + ")";
  };
  if (r.aggregation == WindowAggregation::kCount)
    return Reduce(r, "sum", over("increase", "_count"));
  // Mean (and last, for which a histogram's window mean stands in).
  return Reduce(r, "sum", over("rate", "_sum")) + " / " + Reduce(r, "sum", over("rate", "_count"));
}

Result<std::string> ValueExpr(const AlertingRule& r, const PromMetric& m,
                              std::chrono::nanoseconds w) {
  if (m.histogram) return HistogramExpr(r, m, w);
  const std::string range = Range(PromSelector(m.CounterSeries(), r.matchers), w);
  auto over = [&](std::string_view fn, std::string_view how) {
    return Reduce(r, how, std::string(fn) + "(" + range + ")");
  };
  switch (r.aggregation) {
    case WindowAggregation::kMean:
      return over("avg_over_time", "avg");
    case WindowAggregation::kMax:
      return over("max_over_time", "max");
    case WindowAggregation::kMin:
      return over("min_over_time", "min");
    case WindowAggregation::kLast:
      return over("last_over_time", "avg");
    case WindowAggregation::kCount:
      return over("count_over_time", "sum");
    case WindowAggregation::kRate:
    case WindowAggregation::kIncrease:
      if (!m.counter) {
        return InvalidArgumentError("rule '" + r.id +
                                    "': field 'aggregation': rate and increase "
                                    "need a counter; '" +
                                    r.metric_type + "' is not one");
      }
      return over(r.aggregation == WindowAggregation::kRate ? "rate" : "increase", "sum");
    default: {
      const double q = *QuantileOf(r.aggregation);
      return Reduce(r, "max", "quantile_over_time(" + Num(q) + ", " + range + ")");
    }
  }
}

void AppendYamlMap(std::string& out, std::string_view indent, std::string_view key,
                   const std::map<std::string, std::string>& map) {
  if (map.empty()) return;
  out += std::string(indent) + std::string(key) + ":\n";
  for (const auto& [k, v] : map)
    out += std::string(indent) + "  " + Json(k) + ": " + Json(v) + "\n";
}

Result<std::string> PromAlertingRule(const AlertingRule& r, const PrometheusExportOptions& o) {
  TAI_RETURN_IF_ERROR(CheckRule(r));
  const PromMetric m = PromMetricFor(o, r.metric_type, GuessType(r.aggregation));
  const auto window = std::chrono::seconds(r.evaluation_window_secs);
  TAI_ASSIGN_OR_RETURN(std::string value, ValueExpr(r, m, window));
  const double scale = r.aggregation == WindowAggregation::kCount ? 1 : m.scale;
  std::string out = "      - alert: " + Json(r.display_name.empty() ? r.id : r.display_name) + "\n";
  out += "        expr: " +
         Json("(" + value + ") " + std::string(ComparisonSymbol(r.comparison_operator)) + " " +
              Num(r.threshold * scale)) +
         "\n";
  if (HoldFor(r) > std::chrono::nanoseconds::zero())
    out += "        for: " + PromDuration(HoldFor(r)) + "\n";
  AppendYamlMap(out, "        ", "labels", r.labels);
  AppendYamlMap(out, "        ", "annotations", r.annotations);
  return out;
}

std::set<std::chrono::nanoseconds> BurnWindows(const Slo& slo) {
  std::set<std::chrono::nanoseconds> windows;
  for (const BurnRateAlert& a : slo.burn_rate_alerts) {
    windows.insert(a.long_window);
    windows.insert(a.short_window);
  }
  return windows;
}

Result<SloSeries> PromSloSeries(const Slo& slo, const PrometheusExportOptions& o) {
  SloSeries s;
  if (slo.kind == SliKind::kLatency) {
    const PromMetric m = PromMetricFor(o, slo.metric, MetricType::kDistribution);
    TAI_ASSIGN_OR_RETURN(double bound, LatencyBound(o.metrics, slo));
    s.bucket = m.Series("_bucket");
    s.count = m.Series("_count");
    s.le = Num(bound * m.scale);  // as the exposition writes it
    return s;
  }
  s.good = PromMetricFor(o, slo.good_metric, MetricType::kCumulative).CounterSeries();
  s.bad = PromMetricFor(o, slo.bad_metric, MetricType::kCumulative).CounterSeries();
  s.total = PromMetricFor(o, slo.total_metric, MetricType::kCumulative).CounterSeries();
  return s;
}

Result<std::string> PromSloGroup(const Slo& slo, const PrometheusExportOptions& o) {
  TAI_RETURN_IF_ERROR(ValidateSlo(slo));
  TAI_ASSIGN_OR_RETURN(SloSeries series, PromSloSeries(slo, o));
  const std::string id = PrometheusName(MetricDescriptor{.metric_type = SloId(slo)}, o.units);
  auto record = [&](std::chrono::nanoseconds w) {
    return "slo:" + id + ":error_ratio_rate" + PromDuration(w);
  };
  std::string out = "  - name: " + Json(o.group_prefix + "-slo-" + SloId(slo)) + "\n";
  out += "    interval: " + PromDuration(slo.interval) + "\n    rules:\n";
  for (std::chrono::nanoseconds w : BurnWindows(slo)) {
    out += "      - record: " + record(w) + "\n";
    out += "        expr: " + Json(ErrorRatioExpr(slo, series, w)) + "\n";
    out += "        labels:\n          \"slo\": " + Json(SloId(slo)) + "\n";
  }
  for (const BurnRateAlert& a : slo.burn_rate_alerts) {
    std::string expr = record(a.long_window) + " > " + BurnThreshold(slo, a) + " and " +
                       record(a.short_window) + " > " + BurnThreshold(slo, a);
    const std::string min_events = MinEventsExpr(slo, series, a.long_window);
    if (!min_events.empty()) expr += " and on() " + min_events;
    out += "      - alert: " + Json(BurnRateAlertName(slo)) + "\n";
    out += "        expr: " + Json(expr) + "\n";
    AppendYamlMap(out, "        ", "labels", BurnRateAlertLabels(slo, a));
    std::map<std::string, std::string> annotations = slo.annotations;
    annotations.try_emplace("summary", BurnRateAlertSummary(slo, a));
    AppendYamlMap(out, "        ", "annotations", annotations);
  }
  return out;
}

}  // namespace

Result<std::string> ExportPrometheusRules(const std::vector<AlertingRule>& rules,
                                          const std::vector<Slo>& slos,
                                          const PrometheusExportOptions& options) {
  std::string out = "# Generated by tai-observability from its alerting rules and SLOs.\ngroups:\n";
  if (rules.empty() && slos.empty()) return std::string("groups: []\n");
  // Prometheus evaluates a group at one interval: one group per interval.
  std::map<std::chrono::nanoseconds, std::string> by_interval;
  for (const AlertingRule& r : rules) {
    TAI_ASSIGN_OR_RETURN(std::string text, PromAlertingRule(r, options));
    by_interval[r.interval] += text;
  }
  for (const auto& [interval, text] : by_interval) {
    out += "  - name: " + Json(options.group_prefix + "-rules-" + PromDuration(interval)) + "\n";
    out += "    interval: " + PromDuration(interval) + "\n    rules:\n" + text;
  }
  for (const Slo& slo : slos) {
    TAI_ASSIGN_OR_RETURN(std::string text, PromSloGroup(slo, options));
    out += text;
  }
  return out;
}

}  // namespace tai

// Internal: what the Prometheus rule file and the Cloud Monitoring alert
// policies share: how a metric is known (kind, unit, the bucket bound a
// latency threshold becomes), PromQL selectors and durations, and the SLO
// burn-rate expressions (Cloud Monitoring runs them as PromQL for latency
// SLIs).
//
// Free functions; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tai/alert/rule_export.h"

namespace tai::internal {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Shortest round-trip text of a number; a JSON (and YAML) string literal.
std::string Num(double v);
std::string Json(std::string_view s);
// Prometheus duration in the largest unit that divides it ("1h", "90m", "3d").
std::string PromDuration(std::chrono::nanoseconds d);

// The metric's descriptor, or one of kind `guess` without a unit.
MetricDescriptor DescriptorFor(const MetricExportInfo& info, const std::string& metric,
                               MetricType guess);
// The good-event bound of a latency SLO: the largest exported bucket bound
// at or below the threshold, in the metric's unit.
Result<double> LatencyBound(const MetricExportInfo& info, const Slo& slo);

// A metric as the /metrics endpoint exposes it.
struct PromMetric {
  std::string name;  // without suffixes
  double scale = 1;  // value factor to the exported unit
  bool counter = false;
  bool histogram = false;
  std::string Series(std::string_view suffix) const { return name + std::string(suffix); }
  std::string CounterSeries() const { return counter ? name + "_total" : name; }
};
PromMetric PromMetricOf(const MetricExportInfo& info, PrometheusUnitStyle units,
                        const std::string& metric, MetricType guess);

// A PromQL string literal; `series{k="v",...,extra}`; `selector[window]`.
std::string PromString(std::string_view s);
std::string PromSelector(const std::string& series, const std::vector<LabelMatcher>& matchers,
                         const std::string& extra = "");
std::string Range(const std::string& selector, std::chrono::nanoseconds window);

// A Cloud Monitoring filter string literal; the filter selecting the
// metric's type (CloudMonitoringMetricType), the matchers on metric labels,
// and `resource_filter` when not empty.
std::string CloudFilterString(std::string_view s);
std::string CloudFilter(const std::string& metric, const std::vector<LabelMatcher>& matchers,
                        const std::string& resource_filter);

// The quantile a percentile (or max = 1, min = 0) aggregation asks for.
std::optional<double> QuantileOf(WindowAggregation a);
// The metric kind a rule implies when the export is not told.
MetricType GuessType(WindowAggregation a);
Status CheckRule(const AlertingRule& r);
// How long the condition must hold: for_duration, and trigger_count
// consecutive evaluations `interval` apart.
std::chrono::nanoseconds HoldFor(const AlertingRule& r);

// The series names an SLO's expressions use.
struct SloSeries {
  std::string bucket, count;  // kLatency
  std::string le;             // kLatency: the bucket bound, as exposed
  std::string good, bad, total;
};

// The SLI's error ratio over `w`.
std::string ErrorRatioExpr(const Slo& slo, const SloSeries& s, std::chrono::nanoseconds w);
// Events in the long window >= min_events, or "" when min_events is 0.
std::string MinEventsExpr(const Slo& slo, const SloSeries& s, std::chrono::nanoseconds w);
// "(factor * budget)".
std::string BurnThreshold(const Slo& slo, const BurnRateAlert& a);
}  // namespace tai::internal

#include "alert/rule_export_common.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/text.h"
#include "metrics/exponential_mapping.h"

namespace tai::internal {

std::string Num(double v) {
  std::string out;
  internal::AppendDouble(out, v);
  return out;
}

std::string Json(std::string_view s) {
  std::string out;
  internal::AppendJsonString(out, s);
  return out;
}

// Prometheus duration: the largest unit that divides it ("1h", "90m", "3d").
std::string PromDuration(std::chrono::nanoseconds d) {
  struct Unit {
    int64_t nanos;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{86400 * kNanosPerSecond, "d"},
                                    {3600 * kNanosPerSecond, "h"},
                                    {60 * kNanosPerSecond, "m"},
                                    {kNanosPerSecond, "s"},
                                    {1'000'000, "ms"}};
  const int64_t n = d.count();
  for (const Unit& u : kUnits) {
    if (n > 0 && n % u.nanos == 0) return std::to_string(n / u.nanos) + u.suffix;
  }
  return std::to_string(std::max<int64_t>(1, (n + 999'999) / 1'000'000)) + "ms";
}

MetricDescriptor DescriptorFor(const MetricExportInfo& info, const std::string& metric,
                               MetricType guess) {
  for (const MetricDescriptor& d : info.descriptors) {
    if (d.metric_type == metric) return d;
  }
  return MetricDescriptor{.metric_type = metric, .value_type = guess};
}

// The good-event bound of a latency SLO: the largest exported bucket bound
// at or below the threshold, in the metric's unit.
Result<double> LatencyBound(const MetricExportInfo& info, const Slo& slo) {
  auto fail = [&](const std::string& why) {
    return InvalidArgumentError("slo '" + SloId(slo) + "': field 'threshold': " + why);
  };
  auto explicit_bounds = info.histogram_bounds.find(slo.metric);
  if (explicit_bounds != info.histogram_bounds.end()) {
    double best = std::numeric_limits<double>::quiet_NaN();
    for (double b : explicit_bounds->second) {
      if (b <= slo.threshold && (std::isnan(best) || b > best)) best = b;
    }
    if (std::isnan(best)) {
      return fail("no bucket bound of '" + slo.metric + "' is at or below " + Num(slo.threshold));
    }
    return best;
  }
  if (!(slo.threshold > 0)) {
    return fail("an exponential histogram has no bucket bound at or below " + Num(slo.threshold));
  }
  const int scale = std::clamp(info.exponential_scale, internal::kMinScale, internal::kMaxScale);
  auto index = static_cast<int32_t>(std::floor(std::log2(slo.threshold) * std::ldexp(1.0, scale)));
  // log2 can land one bucket off; the boundaries themselves decide.
  while (internal::ExponentialLowerBoundary(index, scale) > slo.threshold) --index;
  while (internal::ExponentialLowerBoundary(index + 1, scale) <= slo.threshold) ++index;
  return internal::ExponentialLowerBoundary(index, scale);
}

// A PromQL string literal.
std::string PromString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

PromMetric PromMetricOf(const MetricExportInfo& info, PrometheusUnitStyle units,
                        const std::string& metric, MetricType guess) {
  const MetricDescriptor d = DescriptorFor(info, metric, guess);
  PromMetric m;
  m.name = PrometheusName(d, units, &m.scale);
  m.counter = d.value_type == MetricType::kCumulative;
  m.histogram = d.value_type == MetricType::kDistribution;
  return m;
}

std::string PromSelector(const std::string& series, const std::vector<LabelMatcher>& matchers,
                         const std::string& extra) {
  std::string out = series;
  if (matchers.empty() && extra.empty()) return out;
  out += '{';
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i) out += ',';
    out += matchers[i].key;
    out += LabelMatcherSymbol(matchers[i].op);
    out += PromString(matchers[i].value);
  }
  if (!extra.empty()) out += (matchers.empty() ? "" : ",") + extra;
  return out + '}';
}

std::string Range(const std::string& selector, std::chrono::nanoseconds window) {
  return selector + "[" + PromDuration(window) + "]";
}

std::optional<double> QuantileOf(WindowAggregation a) {
  switch (a) {
    case WindowAggregation::kP50:
      return 0.5;
    case WindowAggregation::kP95:
      return 0.95;
    case WindowAggregation::kP99:
      return 0.99;
    case WindowAggregation::kMax:
      return 1.0;
    case WindowAggregation::kMin:
      return 0.0;
    default:
      return std::nullopt;
  }
}

MetricType GuessType(WindowAggregation a) {
  switch (a) {
    case WindowAggregation::kRate:
    case WindowAggregation::kIncrease:
      return MetricType::kCumulative;
    case WindowAggregation::kP50:
    case WindowAggregation::kP95:
    case WindowAggregation::kP99:
      return MetricType::kDistribution;
    default:
      return MetricType::kGauge;
  }
}

Status CheckRule(const AlertingRule& r) {
  if (r.id.empty()) return InvalidArgumentError("rule without an id: every rule needs one");
  if (r.metric_type.empty()) {
    return InvalidArgumentError("rule '" + r.id + "': field 'metric_type': must be set");
  }
  if (r.evaluation_window_secs <= 0) {
    return InvalidArgumentError("rule '" + r.id +
                                "': field 'evaluation_window_secs': must be "
                                "positive, got " +
                                std::to_string(r.evaluation_window_secs));
  }
  return Status::Ok();
}

// How long the condition must hold: for_duration, and trigger_count
// consecutive evaluations `interval` apart.
std::chrono::nanoseconds HoldFor(const AlertingRule& r) {
  return std::max(r.for_duration, r.interval * std::max(r.trigger_count - 1, 0));
}

std::string ErrorRatioExpr(const Slo& slo, const SloSeries& s, std::chrono::nanoseconds w) {
  auto sum_rate = [&](const std::string& series, const std::string& extra = "") {
    return "sum(rate(" + Range(PromSelector(series, slo.matchers, extra), w) + "))";
  };
  switch (slo.kind) {
    case SliKind::kLatency:
      return "1 - (" + sum_rate(s.bucket, "le=" + PromString(s.le)) + " / " + sum_rate(s.count) +
             ")";
    case SliKind::kGoodRatio:
      return "1 - (" + sum_rate(s.good) + " / " + sum_rate(s.total) + ")";
    case SliKind::kBadRatio:
      return sum_rate(s.bad) + " / " + sum_rate(s.total);
  }
  return "";
}

// Events in the long window >= min_events, or "" when min_events is 0.
std::string MinEventsExpr(const Slo& slo, const SloSeries& s, std::chrono::nanoseconds w) {
  if (slo.min_events == 0) return "";
  const std::string& total = slo.kind == SliKind::kLatency ? s.count : s.total;
  return "sum(increase(" + Range(PromSelector(total, slo.matchers), w) +
         ")) >= " + std::to_string(slo.min_events);
}

std::string BurnThreshold(const Slo& slo, const BurnRateAlert& a) {
  return "(" + Num(a.factor) + " * " + Num(slo.error_budget) + ")";
}

std::string CloudFilterString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string CloudFilter(const std::string& metric, const std::vector<LabelMatcher>& matchers,
                        const std::string& resource_filter) {
  std::string f = "metric.type = " + CloudFilterString(CloudMonitoringMetricType(metric));
  for (const LabelMatcher& m : matchers) {
    const std::string label = "metric.label." + m.key;
    switch (m.op) {
      case LabelMatcher::Op::kEqual:
        f += " AND " + label + " = " + CloudFilterString(m.value);
        break;
      case LabelMatcher::Op::kNotEqual:
        f += " AND " + label + " != " + CloudFilterString(m.value);
        break;
      case LabelMatcher::Op::kRegex:
        f += " AND " + label + " = monitoring.regex.full_match(" + CloudFilterString(m.value) + ")";
        break;
      case LabelMatcher::Op::kNotRegex:
        f += " AND NOT " + label + " = monitoring.regex.full_match(" + CloudFilterString(m.value) +
             ")";
        break;
    }
  }
  if (!resource_filter.empty()) f += " AND " + resource_filter;
  return f;
}

}  // namespace tai::internal

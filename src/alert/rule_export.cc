#include "tai/alert/rule_export.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/text.h"
#include "metrics/exponential_mapping.h"

namespace tai {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

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

// --- what the export knows about a metric ---

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

// --- Prometheus ---

struct PromMetric {
  std::string name;  // without suffixes
  double scale = 1;  // value factor to the exported unit
  bool counter = false;
  bool histogram = false;
  std::string Series(std::string_view suffix) const { return name + std::string(suffix); }
  std::string CounterSeries() const { return counter ? name + "_total" : name; }
};

PromMetric PromMetricFor(const PrometheusExportOptions& o, const std::string& metric,
                         MetricType guess) {
  const MetricDescriptor d = DescriptorFor(o.metrics, metric, guess);
  PromMetric m;
  m.name = PrometheusName(d, o.units, &m.scale);
  m.counter = d.value_type == MetricType::kCumulative;
  m.histogram = d.value_type == MetricType::kDistribution;
  return m;
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

std::string_view PromOp(LabelMatcher::Op op) {
  switch (op) {
    case LabelMatcher::Op::kEqual:
      return "=";
    case LabelMatcher::Op::kNotEqual:
      return "!=";
    case LabelMatcher::Op::kRegex:
      return "=~";
    case LabelMatcher::Op::kNotRegex:
      return "!~";
  }
  return "=";
}

std::string PromSelector(const std::string& series, const std::vector<LabelMatcher>& matchers,
                         const std::string& extra = "") {
  std::string out = series;
  if (matchers.empty() && extra.empty()) return out;
  out += '{';
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i) out += ',';
    out += matchers[i].key;
    out += PromOp(matchers[i].op);
    out += PromString(matchers[i].value);
  }
  if (!extra.empty()) out += (matchers.empty() ? "" : ",") + extra;
  return out + '}';
}

std::string Range(const std::string& selector, std::chrono::nanoseconds window) {
  return selector + "[" + PromDuration(window) + "]";
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

// --- SLO expressions, shared by Prometheus and Cloud Monitoring's PromQL ---

// The series names an SLO's expressions use.
struct SloSeries {
  std::string bucket, count;  // kLatency
  std::string le;             // kLatency: the bucket bound, as exposed
  std::string good, bad, total;
};

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

std::set<std::chrono::nanoseconds> BurnWindows(const Slo& slo) {
  std::set<std::chrono::nanoseconds> windows;
  for (const BurnRateAlert& a : slo.burn_rate_alerts) {
    windows.insert(a.long_window);
    windows.insert(a.short_window);
  }
  return windows;
}

std::string BurnAlertName(const Slo& slo) {
  return (slo.display_name.empty() ? SloId(slo) : slo.display_name) + " error budget burn";
}

std::string BurnSummary(const Slo& slo, const BurnRateAlert& a) {
  return "SLO " + SloId(slo) + ": error budget burning faster than " + Num(a.factor) + "x over " +
         PromDuration(a.long_window) + " and " + PromDuration(a.short_window);
}

std::map<std::string, std::string> BurnLabels(const Slo& slo, const BurnRateAlert& a) {
  std::map<std::string, std::string> labels = slo.labels;
  labels["slo"] = SloId(slo);
  labels["severity"] = a.severity;
  labels["long_window"] = PromDuration(a.long_window);
  labels["short_window"] = PromDuration(a.short_window);
  return labels;
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
    out += "      - alert: " + Json(BurnAlertName(slo)) + "\n";
    out += "        expr: " + Json(expr) + "\n";
    AppendYamlMap(out, "        ", "labels", BurnLabels(slo, a));
    std::map<std::string, std::string> annotations = slo.annotations;
    annotations.try_emplace("summary", BurnSummary(slo, a));
    AppendYamlMap(out, "        ", "annotations", annotations);
  }
  return out;
}

// --- Cloud Monitoring ---

std::string FilterString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string CloudFilter(const std::string& metric, const std::vector<LabelMatcher>& matchers,
                        const CloudMonitoringExportOptions& o) {
  std::string f = "metric.type = " + FilterString(CloudMonitoringMetricType(metric));
  for (const LabelMatcher& m : matchers) {
    const std::string label = "metric.label." + m.key;
    switch (m.op) {
      case LabelMatcher::Op::kEqual:
        f += " AND " + label + " = " + FilterString(m.value);
        break;
      case LabelMatcher::Op::kNotEqual:
        f += " AND " + label + " != " + FilterString(m.value);
        break;
      case LabelMatcher::Op::kRegex:
        f += " AND " + label + " = monitoring.regex.full_match(" + FilterString(m.value) + ")";
        break;
      case LabelMatcher::Op::kNotRegex:
        f += " AND NOT " + label + " = monitoring.regex.full_match(" + FilterString(m.value) + ")";
        break;
    }
  }
  if (!o.resource_filter.empty()) f += " AND " + o.resource_filter;
  return f;
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

// userLabels keys and values: lower case, [a-z0-9_-], at most 63 characters.
std::string UserLabelText(std::string_view s) {
  std::string out;
  for (char c : s) {
    const char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    const bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-';
    out += ok ? l : '_';
    if (out.size() == 63) break;
  }
  return out;
}

std::string UserLabelsJson(const std::map<std::string, std::string>& labels,
                           const CloudMonitoringExportOptions& o) {
  std::map<std::string, std::string> all;
  for (const auto& [k, v] : o.user_labels) all[UserLabelText(k)] = UserLabelText(v);
  for (const auto& [k, v] : labels) all[UserLabelText(k)] = UserLabelText(v);
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
  return "{\"displayName\":" + Json(BurnSummary(slo, a)) +
         ",\"conditionPrometheusQueryLanguage\":{\"query\":" + Json(query) +
         ",\"duration\":\"0s\",\"evaluationInterval\":" + Json(ProtoSeconds(slo.interval, 1)) +
         "}}";
}

Result<std::string> CloudBurnPolicy(const Slo& slo, const BurnRateAlert& a,
                                    const CloudMonitoringExportOptions& o) {
  PolicyParts p{.display_name = BurnAlertName(slo) + " " + Num(a.factor) + "x (" +
                                PromDuration(a.long_window) + "/" + PromDuration(a.short_window) +
                                ")",
                .documentation = Documentation(slo.annotations, BurnSummary(slo, a)),
                .channels = ChannelsJson(slo.notification_channels, o),
                .user_labels = UserLabelsJson(BurnLabels(slo, a), o),
                .severity = CloudSeverity(BurnLabels(slo, a))};
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

#include "store/metric_reader.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "store/histogram_codec.h"
#include "store/label_matcher.h"
#include "store/record_json.h"

namespace tai::internal {
namespace {

constexpr double kNanosPerSecond = 1e9;

int64_t FloorTo(int64_t t, int64_t width) { return t - ((t % width) + width) % width; }

Result<std::vector<SeriesInfo>> FindSeries(Database& db, std::string_view metric,
                                           const std::vector<LabelMatcher>& matchers) {
  auto compiled = CompiledMatchers::Compile(matchers);
  if (!compiled.ok()) return compiled.status();
  auto stmt = db.Prepare("SELECT id, labels, kind FROM series WHERE metric = ?1 ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, metric);
  std::vector<SeriesInfo> out;
  bool any = false;
  while (stmt->Step()) {
    any = true;
    auto labels = LabelsFromJson(stmt->Text(1));
    if (!labels.ok()) return labels.status();
    if (!compiled->Matches(*labels)) continue;
    out.push_back({stmt->Int(0), std::move(*labels), static_cast<SeriesKind>(stmt->Int(2))});
  }
  TAI_RETURN_IF_ERROR(stmt->status());
  if (!any) return NotFoundError("no metric named '" + std::string(metric) + "' in the store");
  return out;
}

Status CheckRange(std::string_view metric, int64_t start, int64_t end) {
  if (metric.empty()) return InvalidArgumentError("metric query without a metric name");
  if (end <= start) {
    return InvalidArgumentError("metric query over '" + std::string(metric) + "': end (" +
                                std::to_string(end) + ") is not after start (" +
                                std::to_string(start) + ")");
  }
  return Status::Ok();
}

// Counting at or below a bound needs a distribution: a histogram's
// observations or a gauge's values (counters have neither).
Status CheckCountAtOrBelow(const MetricRangeQuery& q, SeriesKind kind) {
  if (q.function != StepFunction::kCountAtOrBelow) return Status::Ok();
  if (kind == SeriesKind::kCounter) {
    return InvalidArgumentError("counting at or below a bound needs a histogram or a gauge; '" +
                                q.metric + "' is a counter");
  }
  if (std::isnan(q.bound)) {
    return InvalidArgumentError("metric query over '" + q.metric + "': the bound is NaN");
  }
  return Status::Ok();
}

Status CheckFunction(const MetricRangeQuery& q, SeriesKind kind) {
  const bool counter_function =
      q.function == StepFunction::kRate || q.function == StepFunction::kIncrease;
  if (counter_function && kind != SeriesKind::kCounter) {
    return InvalidArgumentError("rate and increase need a counter; '" + q.metric + "' is not one");
  }
  if (q.function == StepFunction::kQuantile && kind == SeriesKind::kCounter) {
    return InvalidArgumentError("quantiles need a histogram or a gauge; '" + q.metric +
                                "' is a counter");
  }
  TAI_RETURN_IF_ERROR(CheckCountAtOrBelow(q, kind));
  if (q.function == StepFunction::kQuantile && !(q.quantile >= 0 && q.quantile <= 1)) {
    return InvalidArgumentError("quantile " + std::to_string(q.quantile) +
                                " is not between 0 and 1");
  }
  return Status::Ok();
}

// Reads the cells of every series over the plan, calling fn(series index, cell).
Status ForEachCell(Database& db, const std::vector<SeriesInfo>& series,
                   const std::vector<TierSpan>& plan, size_t max_rows,
                   const std::function<void(size_t, const Cell&)>& fn) {
  auto budget = static_cast<int64_t>(max_rows);
  for (size_t i = 0; i < series.size(); ++i) {
    for (const TierSpan& span : plan) {
      TAI_RETURN_IF_ERROR(ReadSeriesCells(db, span.tier, series[i], span.from, span.to, &budget,
                                          [&](int64_t, SeriesKind, Cell c) { fn(i, c); }));
    }
  }
  return Status::Ok();
}

double StepValue(const MetricRangeQuery& q, const Cell& c) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  switch (q.function) {
    case StepFunction::kLast:
      return c.last;
    case StepFunction::kAvg:
      return c.count ? c.sum / static_cast<double>(c.count) : nan;
    case StepFunction::kMin:
      return std::isnan(c.min) && c.hist ? c.hist->Percentile(0) : c.min;
    case StepFunction::kMax:
      return std::isnan(c.max) && c.hist ? c.hist->Percentile(1) : c.max;
    case StepFunction::kSum:
      return c.sum;
    case StepFunction::kCount:
      return static_cast<double>(c.count);
    case StepFunction::kIncrease:
      return c.increase;
    case StepFunction::kRate:
      return c.increase / (static_cast<double>(q.step_nanos) / kNanosPerSecond);
    case StepFunction::kQuantile:
      return c.hist ? c.hist->Percentile(q.quantile) : nan;
    case StepFunction::kCountAtOrBelow:
      return c.hist ? c.hist->CountAtOrBelow(q.bound) : nan;
  }
  return nan;
}

double Combine(SeriesAggregation how, double a, double b, size_t n) {
  switch (how) {
    case SeriesAggregation::kMin:
      return std::min(a, b);
    case SeriesAggregation::kMax:
      return std::max(a, b);
    case SeriesAggregation::kAvg:  // a is the running mean over n-1 values
      return a + (b - a) / static_cast<double>(n);
    default:
      return a + b;
  }
}

using StepCells = std::map<int64_t, Cell>;  // step index -> merged cell

// A cell counts in every step it overlaps; a counter's increase is shared
// out in proportion to the overlap (a raw point lies in one step).
void AddToSteps(const MetricRangeQuery& q, SeriesKind kind, int64_t steps, const Cell& c,
                StepCells& out) {
  const int64_t first = std::max<int64_t>(0, (c.start - q.start_nanos) / q.step_nanos);
  const int64_t last_time = std::max(c.start, c.end - 1);
  const int64_t last = std::min(steps - 1, (last_time - q.start_nanos) / q.step_nanos);
  for (int64_t k = first; k <= last; ++k) {
    if (c.end <= c.start) {
      MergeCell(kind, out[k], c);
      continue;
    }
    const int64_t w0 = q.start_nanos + k * q.step_nanos, w1 = w0 + q.step_nanos;
    const int64_t overlap = std::min(c.end, w1) - std::max(c.start, w0);
    Cell part = c;
    part.increase *= static_cast<double>(overlap) / static_cast<double>(c.end - c.start);
    MergeCell(kind, out[k], part);
  }
}

std::vector<SeriesPoint> ToPoints(const MetricRangeQuery& q, const StepCells& cells) {
  std::vector<SeriesPoint> points;
  points.reserve(cells.size());
  for (const auto& [k, cell] : cells) {
    const double v = StepValue(q, cell);
    if (!std::isnan(v)) points.push_back({q.start_nanos + (k + 1) * q.step_nanos, v});
  }
  return points;
}

// Sum, avg, min or max across series of each series' step values.
MetricSeries Aggregate(const MetricRangeQuery& q, const std::vector<StepCells>& per_series) {
  MetricSeries out;
  std::map<int64_t, std::pair<double, size_t>> acc;  // time -> (value, series seen)
  for (const StepCells& s : per_series) {
    for (const SeriesPoint& p : ToPoints(q, s)) {
      auto [it, fresh] = acc.try_emplace(p.time_nanos, p.value, 1);
      if (!fresh) {
        ++it->second.second;
        it->second.first = Combine(q.across, it->second.first, p.value, it->second.second);
      }
    }
  }
  for (const auto& [t, v] : acc) out.points.push_back({t, v.first});
  return out;
}

void FillPercentiles(WindowStatistics& s, const std::function<double(double)>& at) {
  s.p50 = at(0.5);
  s.p90 = at(0.9);
  s.p95 = at(0.95);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
}

double NearestRank(const std::vector<double>& sorted, double q) {
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

Result<std::vector<TierSpan>> PlanTiers(Database& db, int64_t start, int64_t end,
                                        const RetentionOptions& retention, int64_t now) {
  if (start >= now - retention.raw_points.count())
    return std::vector<TierSpan>{{StoreTier::kRaw, start, end}};
  auto hours = RollupDoneUntil(db, StoreTier::kHourly);
  if (!hours.ok()) return hours.status();
  auto days = RollupDoneUntil(db, StoreTier::kDaily);
  if (!days.ok()) return days.status();
  std::vector<TierSpan> plan;
  int64_t at = start;
  if (start < now - retention.hourly_rollups.count() && *days > start) {
    const int64_t width = TierWidth(StoreTier::kDaily);
    plan.push_back({StoreTier::kDaily, FloorTo(start, width), std::min(*days, end)});
    at = std::max(start, *days);
  }
  if (*hours > at && at < end) {
    const int64_t width = TierWidth(StoreTier::kHourly);
    plan.push_back(
        {StoreTier::kHourly, plan.empty() ? FloorTo(at, width) : at, std::min(*hours, end)});
    at = std::max(at, *hours);
  }
  if (at < end) plan.push_back({StoreTier::kRaw, at, end});
  return plan;
}

Result<std::vector<std::string>> ReadMetricNames(Database& db) {
  auto stmt = db.Prepare("SELECT DISTINCT metric FROM series ORDER BY metric");
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> names;
  while (stmt->Step()) names.push_back(stmt->Text(0));
  TAI_RETURN_IF_ERROR(stmt->status());
  return names;
}

Result<std::vector<MetricSummary>> ReadMetricSummaries(Database& db) {
  // The first series of each metric (lowest id) speaks for it.
  auto stmt = db.Prepare(
      "SELECT metric, kind, unit FROM series WHERE id IN "
      "(SELECT MIN(id) FROM series GROUP BY metric) ORDER BY metric");
  if (!stmt.ok()) return stmt.status();
  std::vector<MetricSummary> out;
  while (stmt->Step()) {
    out.push_back(
        {stmt->Text(0), MetricTypeOf(static_cast<SeriesKind>(stmt->Int(1))), stmt->Text(2)});
  }
  TAI_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<std::vector<LatestPoint>> ReadLatest(Database& db, std::string_view metric,
                                            const std::vector<LabelMatcher>& matchers) {
  auto series = FindSeries(db, metric, matchers);
  if (!series.ok()) return series.status();
  auto raw =
      db.Prepare("SELECT t, value, hist FROM points WHERE series_id = ?1 ORDER BY t DESC LIMIT 1");
  if (!raw.ok()) return raw.status();
  auto rolled =
      db.Prepare("SELECT t, last, hist FROM rollups WHERE series_id = ?1 ORDER BY t DESC LIMIT 1");
  if (!rolled.ok()) return rolled.status();
  std::vector<LatestPoint> out;
  for (const SeriesInfo& s : *series) {
    for (Statement* stmt : {&*raw, &*rolled}) {
      stmt->Bind(1, s.id);
      if (stmt->Step()) {
        LatestPoint p{s.labels, stmt->Int(0), stmt->Double(1), std::nullopt};
        if (!stmt->IsNull(2) && s.kind == SeriesKind::kHistogram) {
          auto h = DecodeHistogram(stmt->Blob(2));
          if (h.ok()) p.histogram = std::move(*h);
        }
        out.push_back(std::move(p));
        stmt->Reset();
        break;
      }
      Status st = stmt->status();
      stmt->Reset();
      TAI_RETURN_IF_ERROR(st);
    }
  }
  return out;
}

Result<MetricRangeResult> ReadRange(Database& db, const MetricRangeQuery& q,
                                    const StoreOptions& options, int64_t now) {
  TAI_RETURN_IF_ERROR(CheckRange(q.metric, q.start_nanos, q.end_nanos));
  if (q.step_nanos <= 0) {
    return InvalidArgumentError("metric query over '" + q.metric + "': step must be positive");
  }
  auto series = FindSeries(db, q.metric, q.matchers);
  if (!series.ok()) return series.status();
  const int64_t steps = (q.end_nanos - q.start_nanos + q.step_nanos - 1) / q.step_nanos;
  const auto points =
      static_cast<double>(steps) * static_cast<double>(std::max<size_t>(series->size(), 1));
  if (points > static_cast<double>(options.max_points_per_query)) {
    return ResourceExhaustedError(
        "metric query over '" + q.metric + "' asks for " + std::to_string(steps) + " steps x " +
        std::to_string(series->size()) + " series; the limit is " +
        std::to_string(options.max_points_per_query) +
        " points: use a larger step, a shorter range or narrower matchers");
  }
  MetricRangeResult result;
  if (series->empty()) return result;
  for (const SeriesInfo& s : *series) TAI_RETURN_IF_ERROR(CheckFunction(q, s.kind));
  auto plan = PlanTiers(db, q.start_nanos, q.end_nanos, options.retention, now);
  if (!plan.ok()) return plan.status();
  result.tier = plan->empty() ? StoreTier::kRaw : plan->front().tier;
  if (q.function == StepFunction::kQuantile && q.across != SeriesAggregation::kNone) {
    // A quantile across series comes from the merged distribution, never an
    // average of percentiles. Cells of the same interval merge first, so a
    // rollup cell is spread over its steps once rather than once per series.
    const SeriesKind kind = series->front().kind;
    std::map<std::pair<int64_t, int64_t>, Cell> by_interval;
    TAI_RETURN_IF_ERROR(
        ForEachCell(db, *series, *plan, options.max_rows_scanned, [&](size_t, const Cell& c) {
          MergeCell(kind, by_interval[{c.start, c.end}], c);
        }));
    StepCells merged;
    for (const auto& [interval, cell] : by_interval) AddToSteps(q, kind, steps, cell, merged);
    result.series.push_back({LabelSet(), ToPoints(q, merged)});
    return result;
  }
  std::vector<StepCells> per_series(series->size());
  TAI_RETURN_IF_ERROR(ForEachCell(
      db, *series, *plan, options.max_rows_scanned,
      [&](size_t i, const Cell& c) { AddToSteps(q, (*series)[i].kind, steps, c, per_series[i]); }));
  if (q.across != SeriesAggregation::kNone) {
    result.series.push_back(Aggregate(q, per_series));
    return result;
  }
  for (size_t i = 0; i < series->size(); ++i) {
    MetricSeries s{(*series)[i].labels, ToPoints(q, per_series[i])};
    if (!s.points.empty()) result.series.push_back(std::move(s));
  }
  return result;
}

Result<WindowStatistics> ReadStatistics(Database& db, std::string_view metric,
                                        const std::vector<LabelMatcher>& matchers, int64_t start,
                                        int64_t end, const StoreOptions& options, int64_t now) {
  TAI_RETURN_IF_ERROR(CheckRange(metric, start, end));
  auto series = FindSeries(db, metric, matchers);
  if (!series.ok()) return series.status();
  auto plan = PlanTiers(db, start, end, options.retention, now);
  if (!plan.ok()) return plan.status();
  WindowStatistics s;
  s.tier = plan->empty() ? StoreTier::kRaw : plan->front().tier;
  if (series->empty()) return s;
  const SeriesKind kind = series->front().kind;
  Cell all;
  std::vector<double> values;  // raw gauge and counter values: exact percentiles
  bool exact = true;
  TAI_RETURN_IF_ERROR(
      ForEachCell(db, *series, *plan, options.max_rows_scanned, [&](size_t, const Cell& c) {
        MergeCell(kind, all, c);
        if (c.end == c.start && kind != SeriesKind::kHistogram) {
          values.push_back(c.last);
        } else {
          exact = false;
        }
      }));
  s.count = all.count;
  if (all.count == 0) return s;
  s.mean = all.sum / static_cast<double>(all.count);
  const bool have_hist = all.hist && all.hist->count() > 0;
  s.min = std::isnan(all.min) && have_hist ? all.hist->Percentile(0) : all.min;
  s.max = std::isnan(all.max) && have_hist ? all.hist->Percentile(1) : all.max;
  if (exact && !values.empty()) {
    std::sort(values.begin(), values.end());
    FillPercentiles(s, [&](double q) { return NearestRank(values, q); });
  } else if (have_hist) {
    FillPercentiles(s, [&](double q) { return all.hist->Percentile(q); });
    s.relative_error = all.hist->RelativeErrorBound();
  } else {
    FillPercentiles(s, [](double) { return std::numeric_limits<double>::quiet_NaN(); });
  }
  return s;
}

}  // namespace tai::internal

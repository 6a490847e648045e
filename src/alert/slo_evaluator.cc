#include "tai/alert/slo_evaluator.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "alert/rule_export_common.h"

namespace tai {
namespace {

constexpr int64_t kMinCoverageStep = int64_t{5} * 60 * 1'000'000'000;
constexpr int64_t kCoverageSteps = 1440;

// The sum over series of one step that spans the whole range; 0 when the
// metric has no data there (or the store has never seen it).
Result<double> SumOverRange(const Store& store, const Slo& slo, const std::string& metric,
                            StepFunction function, int64_t start, int64_t end) {
  MetricRangeQuery q{.metric = metric,
                     .matchers = slo.matchers,
                     .start_nanos = start,
                     .end_nanos = end,
                     .step_nanos = end - start,
                     .function = function,
                     .bound = slo.threshold,
                     .across = SeriesAggregation::kSum};
  auto r = store.QueryRange(q);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) return 0.0;
    return r.status();
  }
  double sum = 0;
  for (const MetricSeries& s : r->series) {
    for (const SeriesPoint& p : s.points) sum += p.value;
  }
  return sum;
}

// The fraction of coverage steps of [start, end) that hold a point of `metric`.
Result<double> Coverage(const Store& store, const Slo& slo, const std::string& metric,
                        int64_t start, int64_t end) {
  const int64_t step =
      std::max(kMinCoverageStep, (end - start + kCoverageSteps - 1) / kCoverageSteps);
  const int64_t steps = (end - start + step - 1) / step;
  MetricRangeQuery q{.metric = metric,
                     .matchers = slo.matchers,
                     .start_nanos = start,
                     .end_nanos = end,
                     .step_nanos = step,
                     .function = StepFunction::kCount,
                     .across = SeriesAggregation::kSum};
  auto r = store.QueryRange(q);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) return 0.0;
    return r.status();
  }
  size_t covered = 0;
  for (const MetricSeries& s : r->series) covered += s.points.size();
  return std::min(1.0, static_cast<double>(covered) / static_cast<double>(steps));
}

const std::string& TotalMetric(const Slo& slo) {
  return slo.kind == SliKind::kLatency ? slo.metric : slo.total_metric;
}

Result<SliCounts> CountKind(const Store& store, const Slo& slo, int64_t start, int64_t end) {
  SliCounts c;
  switch (slo.kind) {
    case SliKind::kLatency: {
      TAI_ASSIGN_OR_RETURN(c.total,
                           SumOverRange(store, slo, slo.metric, StepFunction::kCount, start, end));
      TAI_ASSIGN_OR_RETURN(
          c.good, SumOverRange(store, slo, slo.metric, StepFunction::kCountAtOrBelow, start, end));
      break;
    }
    case SliKind::kGoodRatio: {
      TAI_ASSIGN_OR_RETURN(
          c.total, SumOverRange(store, slo, slo.total_metric, StepFunction::kIncrease, start, end));
      TAI_ASSIGN_OR_RETURN(
          c.good, SumOverRange(store, slo, slo.good_metric, StepFunction::kIncrease, start, end));
      break;
    }
    case SliKind::kBadRatio: {
      TAI_ASSIGN_OR_RETURN(
          c.total, SumOverRange(store, slo, slo.total_metric, StepFunction::kIncrease, start, end));
      TAI_ASSIGN_OR_RETURN(double bad, SumOverRange(store, slo, slo.bad_metric,
                                                    StepFunction::kIncrease, start, end));
      c.good = c.total - bad;
      break;
    }
  }
  // Counters scraped at different moments can put good a little above
  // total (or bad above it): the ratio is clamped, never negative.
  c.good = std::clamp(c.good, 0.0, c.total);
  return c;
}

}  // namespace

Result<SliCounts> CountEvents(const Store& store, const Slo& slo, int64_t start_nanos,
                              int64_t end_nanos) {
  TAI_RETURN_IF_ERROR(ValidateSlo(slo));
  if (end_nanos <= start_nanos) {
    return InvalidArgumentError("slo '" + SloId(slo) + "': window end (" +
                                std::to_string(end_nanos) + ") is not after its start (" +
                                std::to_string(start_nanos) + ")");
  }
  TAI_ASSIGN_OR_RETURN(SliCounts c, CountKind(store, slo, start_nanos, end_nanos));
  TAI_ASSIGN_OR_RETURN(c.coverage, Coverage(store, slo, TotalMetric(slo), start_nanos, end_nanos));
  return c;
}

double BurnRateOf(const SliCounts& counts, const Slo& slo) {
  return counts.error_ratio() / slo.error_budget;
}

Result<ErrorBudget> ComputeErrorBudget(const Store& store, const Slo& slo, int64_t now) {
  TAI_ASSIGN_OR_RETURN(SliCounts c, CountEvents(store, slo, now - slo.window.count(), now));
  ErrorBudget b;
  b.objective = 1 - slo.error_budget;
  b.good_events = static_cast<uint64_t>(std::llround(c.good));
  b.total_events = static_cast<uint64_t>(std::llround(c.total));
  b.sli = c.total > 0 ? c.good / c.total : 1;
  b.total_budget = slo.error_budget * c.total;
  b.consumed = c.bad();
  b.remaining = b.total_budget - b.consumed;
  b.remaining_fraction = b.total_budget > 0 ? b.remaining / b.total_budget : 1;
  b.burn_rate = BurnRateOf(c, slo);
  b.data_coverage = c.coverage;
  return b;
}

Result<double> BurnRate(const Store& store, const Slo& slo, std::chrono::nanoseconds window,
                        int64_t now) {
  TAI_ASSIGN_OR_RETURN(SliCounts c, CountEvents(store, slo, now - window.count(), now));
  return BurnRateOf(c, slo);
}

Result<std::vector<BurnRateStatus>> EvaluateBurnRateAlerts(const Store& store, const Slo& slo,
                                                           int64_t now) {
  std::vector<BurnRateStatus> out;
  out.reserve(slo.burn_rate_alerts.size());
  // The default alerts share a window (6 h): each window is counted once.
  std::map<std::chrono::nanoseconds, SliCounts> counted;
  auto counts = [&](std::chrono::nanoseconds window) -> Result<SliCounts> {
    if (auto it = counted.find(window); it != counted.end()) return it->second;
    TAI_ASSIGN_OR_RETURN(SliCounts c, CountEvents(store, slo, now - window.count(), now));
    counted.emplace(window, c);
    return c;
  };
  for (const BurnRateAlert& a : slo.burn_rate_alerts) {
    BurnRateStatus s{.alert = a};
    TAI_ASSIGN_OR_RETURN(s.long_counts, counts(a.long_window));
    TAI_ASSIGN_OR_RETURN(s.short_counts, counts(a.short_window));
    s.long_burn_rate = BurnRateOf(s.long_counts, slo);
    s.short_burn_rate = BurnRateOf(s.short_counts, slo);
    s.holds = s.long_burn_rate > a.factor && s.short_burn_rate > a.factor &&
              s.long_counts.total >= static_cast<double>(slo.min_events);
    out.push_back(std::move(s));
  }
  return out;
}

std::string BurnRateAlertName(const Slo& slo) {
  return (slo.display_name.empty() ? SloId(slo) : slo.display_name) + " error budget burn";
}

std::string BurnRateAlertSummary(const Slo& slo, const BurnRateAlert& alert) {
  using internal::PromDuration;
  return "SLO " + SloId(slo) + ": error budget burning faster than " + internal::Num(alert.factor) +
         "x over " + PromDuration(alert.long_window) + " and " + PromDuration(alert.short_window);
}

std::map<std::string, std::string> BurnRateAlertLabels(const Slo& slo, const BurnRateAlert& alert) {
  std::map<std::string, std::string> labels = slo.labels;
  labels["slo"] = SloId(slo);
  labels["severity"] = alert.severity;
  labels["long_window"] = internal::PromDuration(alert.long_window);
  labels["short_window"] = internal::PromDuration(alert.short_window);
  return labels;
}

}  // namespace tai

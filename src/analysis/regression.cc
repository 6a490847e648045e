#include "tai/analysis/regression.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <unordered_set>
#include <utility>

#include "analysis/function_costs.h"
#include "core/enum_names.h"
#include "core/text.h"
#include "tai/core/ids.h"

namespace tai {
namespace {

constexpr internal::EnumNames<AlertSeverity, 5> kSeverityNames{{
    {AlertSeverity::kNone, "NONE"},
    {AlertSeverity::kLow, "LOW"},
    {AlertSeverity::kMedium, "MEDIUM"},
    {AlertSeverity::kHigh, "HIGH"},
    {AlertSeverity::kCritical, "CRITICAL"},
}};

// Sum of exp(log_pmf(k)) for k in [from, hi]; the terms are summed from the
// end nearer the mode outwards and stop once they no longer matter, so a
// tail far from the mode costs a few dozen terms.
double TailSum(int64_t from, int64_t lo, int64_t hi, double mode,
               const std::function<double(int64_t)>& log_pmf) {
  if (from > hi) return 0;
  from = std::max(from, lo);
  if (static_cast<double>(from) <= mode) {
    // The tail holds the mode: 1 minus the other side, which is the small one.
    double below = 0;
    for (int64_t k = from - 1; k >= lo; --k) {
      double t = std::exp(log_pmf(k));
      below += t;
      if (t < below * 1e-17 && static_cast<double>(k) < mode) break;
    }
    return std::clamp(1.0 - below, 0.0, 1.0);
  }
  double sum = 0;
  for (int64_t k = from; k <= hi; ++k) {
    double t = std::exp(log_pmf(k));
    sum += t;
    if (t < sum * 1e-17) break;
  }
  return std::min(sum, 1.0);
}

double LogChoose(int64_t n, int64_t k) {
  return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
         std::lgamma(static_cast<double>(n - k) + 1);
}

// Holm's step-down procedure: which of `p` are significant at family-wise `alpha`.
std::vector<bool> Holm(const std::vector<double>& p, double alpha) {
  std::vector<size_t> order(p.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<bool> significant(p.size(), false);
  const double m = static_cast<double>(p.size());
  for (size_t rank = 0; rank < order.size(); ++rank) {
    if (p[order[rank]] > alpha / (m - static_cast<double>(rank))) break;
    significant[order[rank]] = true;
  }
  return significant;
}

// The two profiles' figures for one function and the test of its change.
struct Pair {
  std::string function;
  internal::FunctionCost base, cur;
  bool tested = false;
  double p_up = 1, p_down = 1;
  double ratio = 1;  // normalised current / baseline
};

// The scale that puts the baseline on the current profile's exposure, and
// the current side's expected fraction of a function's samples under "no change".
struct Exposure {
  double scale = 1;
  double q = 0.5;
};

Result<Exposure> ExposureOf(const internal::ProfileCosts& b, const internal::ProfileCosts& c,
                            Normalization normalization) {
  Exposure e;
  if (normalization == Normalization::kShareOfTotal) {
    if (b.total_value <= 0 || c.total_value <= 0) {
      return InvalidArgumentError(std::string(b.total_value <= 0 ? "baseline" : "current") +
                                  " profile has no samples");
    }
    e.scale = static_cast<double>(c.total_value) / static_cast<double>(b.total_value);
    return e;
  }
  if (b.duration_nanos <= 0 || c.duration_nanos <= 0) {
    return InvalidArgumentError(std::string(b.duration_nanos <= 0 ? "baseline" : "current") +
                                " profile has no duration (needed for CPU per second; use share "
                                "of total instead)");
  }
  e.scale = static_cast<double>(c.duration_nanos) / static_cast<double>(b.duration_nanos);
  // Samples expected per second of wall time grow with the sampling rate.
  double eb = static_cast<double>(b.duration_nanos) / b.period_nanos;
  double ec = static_cast<double>(c.duration_nanos) / c.period_nanos;
  e.q = ec / (eb + ec);
  return e;
}

void TestPair(Pair& p, const internal::ProfileCosts& b, const internal::ProfileCosts& c,
              const Exposure& e, Normalization normalization) {
  int64_t x1 = p.base.samples, x2 = p.cur.samples, n = x1 + x2;
  if (normalization == Normalization::kShareOfTotal) {
    p.p_up = HypergeometricUpperTail(x2, n, b.total_samples, c.total_samples);
    p.p_down = HypergeometricUpperTail(x1, n, c.total_samples, b.total_samples);
  } else {
    p.p_up = BinomialUpperTail(x2, n, e.q);
    p.p_down = BinomialUpperTail(x1, n, 1 - e.q);
  }
  double scaled = static_cast<double>(p.base.value) * e.scale;
  p.ratio = scaled > 0 ? static_cast<double>(p.cur.value) / scaled : HUGE_VAL;
}

double Micros(const internal::ProfileCosts& costs, double value) {
  return costs.nanoseconds ? value / 1000.0 : value;
}

double Share(const internal::FunctionCost& cost, const internal::ProfileCosts& profile) {
  return profile.total_value > 0
             ? static_cast<double>(cost.value) / static_cast<double>(profile.total_value)
             : 0.0;
}

// `micros` on the current profile's scale.
FunctionPresence Presence(const Pair& p, const internal::FunctionCost& side,
                          const internal::ProfileCosts& costs, int64_t micros) {
  return FunctionPresence{p.function, micros, side.samples, Share(side, costs)};
}

void Classify(const std::vector<Pair>& pairs, const std::vector<bool>& up,
              const std::vector<bool>& down, const internal::ProfileCosts& b,
              const internal::ProfileCosts& c, const Exposure& e, ProfileComparison& out) {
  const double threshold = out.options.threshold_percent;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const Pair& p = pairs[i];
    int64_t base_us = std::llround(Micros(c, static_cast<double>(p.base.value) * e.scale));
    int64_t cur_us = std::llround(Micros(c, static_cast<double>(p.cur.value)));
    double change = 100.0 * (p.ratio - 1.0);
    if (p.base.samples == 0 && up[i]) {
      out.added.push_back(Presence(p, p.cur, c, cur_us));
    } else if (p.cur.samples == 0 && down[i]) {
      out.removed.push_back(Presence(p, p.base, b, base_us));
      out.improvements.push_back(
          Improvement{p.function, base_us, 0, 100.0, p.base.samples, 0, p.p_down});
    } else if (up[i] && change >= threshold) {
      out.regressions.push_back(Regression{p.function, base_us, cur_us, change, p.base.samples,
                                           p.cur.samples, p.p_up, SeverityForIncrease(change)});
    } else if (down[i] && -change >= threshold) {
      out.improvements.push_back(Improvement{p.function, base_us, cur_us, -change, p.base.samples,
                                             p.cur.samples, p.p_down});
    } else {
      out.unchanged.push_back(UnchangedFunction{p.function, base_us, cur_us,
                                                std::isfinite(change) ? change : 0.0, p.tested,
                                                up[i] || down[i]});
    }
  }
}

void SortResults(ProfileComparison& c) {
  std::sort(c.regressions.begin(), c.regressions.end(), [](const auto& a, const auto& b) {
    return a.increase_percent != b.increase_percent ? a.increase_percent > b.increase_percent
                                                    : a.function < b.function;
  });
  std::sort(c.improvements.begin(), c.improvements.end(), [](const auto& a, const auto& b) {
    return a.reduction_percent != b.reduction_percent ? a.reduction_percent > b.reduction_percent
                                                      : a.function < b.function;
  });
  auto by_micros = [](const auto& a, const auto& b) {
    return a.micros != b.micros ? a.micros > b.micros : a.function < b.function;
  };
  std::sort(c.removed.begin(), c.removed.end(), by_micros);
  std::sort(c.added.begin(), c.added.end(), by_micros);
  std::sort(c.unchanged.begin(), c.unchanged.end(), [](const auto& a, const auto& b) {
    return a.baseline_micros != b.baseline_micros ? a.baseline_micros > b.baseline_micros
                                                  : a.function < b.function;
  });
}

// Both profiles measure the same thing in their default sample type.
Status SameKind(const Profile& baseline, const Profile& current) {
  int bi = baseline.DefaultValueIndex(), ci = current.DefaultValueIndex();
  if (bi < 0 || ci < 0) {
    return InvalidArgumentError(std::string(bi < 0 ? "baseline" : "current") +
                                " profile has no sample types");
  }
  const ValueType& b = baseline.sample_types[bi];
  const ValueType& c = current.sample_types[ci];
  if (b == c) return Status::Ok();
  return InvalidArgumentError("profiles measure different things: baseline " + b.type + "/" +
                              b.unit + ", current " + c.type + "/" + c.unit);
}

std::vector<Pair> MakePairs(const internal::ProfileCosts& b, const internal::ProfileCosts& c,
                            double min_share) {
  std::map<std::string, Pair> pairs;  // ordered: results do not depend on hashing
  for (const auto& [name, cost] : b.functions) pairs[name].base = cost;
  for (const auto& [name, cost] : c.functions) pairs[name].cur = cost;
  std::vector<Pair> out;
  out.reserve(pairs.size());
  for (auto& [name, p] : pairs) {
    p.function = name;
    p.tested = std::max(Share(p.base, b), Share(p.cur, c)) >= min_share &&
               p.base.samples + p.cur.samples > 0;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::string_view AlertSeverityName(AlertSeverity severity) {
  return internal::NameOf(kSeverityNames, severity, "NONE");
}

Result<AlertSeverity> ParseAlertSeverity(std::string_view name) {
  if (auto severity = internal::ValueNamed(kSeverityNames, name)) return *severity;
  return InvalidArgumentError("unknown severity '" + std::string(name) +
                              "' (expected LOW, MEDIUM, HIGH or CRITICAL)");
}

AlertSeverity SeverityForIncrease(double increase_percent) {
  if (increase_percent >= 50) return AlertSeverity::kCritical;
  if (increase_percent >= 25) return AlertSeverity::kHigh;
  if (increase_percent >= 10) return AlertSeverity::kMedium;
  if (increase_percent >= 5) return AlertSeverity::kLow;
  return AlertSeverity::kNone;
}

Status ComparisonOptions::Validate() const {
  if (!(threshold_percent >= 0) || !std::isfinite(threshold_percent)) {
    return InvalidArgumentError("threshold_percent must be a finite number >= 0, not " +
                                std::to_string(threshold_percent));
  }
  if (!(confidence > 0 && confidence < 1)) {
    return InvalidArgumentError("confidence must be in (0, 1), not " + std::to_string(confidence));
  }
  if (!(min_share >= 0 && min_share < 1)) {
    return InvalidArgumentError("min_share must be in [0, 1), not " + std::to_string(min_share));
  }
  return Status::Ok();
}

double BinomialUpperTail(int64_t x, int64_t n, double q) {
  if (x <= 0) return 1;
  if (x > n || q <= 0) return 0;
  if (q >= 1) return 1;
  const double lq = std::log(q), lr = std::log1p(-q);
  auto log_pmf = [&](int64_t k) {
    return LogChoose(n, k) + static_cast<double>(k) * lq + static_cast<double>(n - k) * lr;
  };
  return TailSum(x, 0, n, static_cast<double>(n) * q, log_pmf);
}

double HypergeometricUpperTail(int64_t x, int64_t n, int64_t total1, int64_t total2) {
  const int64_t all = total1 + total2;
  if (n > all) n = all;  // inconsistent input: treat as every sample
  const int64_t lo = std::max<int64_t>(0, n - total1), hi = std::min(n, total2);
  if (x <= lo) return 1;
  if (x > hi) return 0;
  const double log_all = LogChoose(all, n);
  auto log_pmf = [&](int64_t k) {
    return LogChoose(total2, k) + LogChoose(total1, n - k) - log_all;
  };
  double mean = static_cast<double>(n) * static_cast<double>(total2) / static_cast<double>(all);
  return TailSum(x, lo, hi, mean, log_pmf);
}

AlertSeverity SeverityOf(const std::vector<Regression>& regressions) {
  AlertSeverity worst = AlertSeverity::kNone;
  int medium = 0;
  for (const Regression& r : regressions) {
    worst = std::max(worst, r.severity);
    if (r.severity == AlertSeverity::kMedium) ++medium;
  }
  if (medium >= 3) worst = std::max(worst, AlertSeverity::kHigh);
  return worst;
}

AlertSeverity ProfileComparison::severity() const { return SeverityOf(regressions); }

Result<ProfileComparison> CompareProfiles(const Profile& baseline, const Profile& current,
                                          const ComparisonOptions& options) {
  TAI_RETURN_IF_ERROR(options.Validate());
  TAI_RETURN_IF_ERROR(SameKind(baseline, current));
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(internal::ProfileCosts b,
                                    internal::FunctionCosts(baseline, options.cost),
                                    "baseline profile");
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(
      internal::ProfileCosts c, internal::FunctionCosts(current, options.cost), "current profile");
  TAI_ASSIGN_OR_RETURN(Exposure e, ExposureOf(b, c, options.normalization));

  ProfileComparison out;
  out.options = options;
  out.baseline_total_micros = std::llround(Micros(b, static_cast<double>(b.total_value)));
  out.current_total_micros = std::llround(Micros(c, static_cast<double>(c.total_value)));
  out.baseline_samples = b.total_samples;
  out.current_samples = c.total_samples;
  double scaled_total = static_cast<double>(b.total_value) * e.scale;
  out.total_change_percent =
      scaled_total > 0 ? 100.0 * (static_cast<double>(c.total_value) / scaled_total - 1) : 0;

  std::vector<Pair> pairs = MakePairs(b, c, options.min_share);
  std::vector<double> p_up, p_down;
  std::vector<size_t> tested;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (!pairs[i].tested) continue;
    TestPair(pairs[i], b, c, e, options.normalization);
    tested.push_back(i);
    p_up.push_back(pairs[i].p_up);
    p_down.push_back(pairs[i].p_down);
  }
  for (Pair& p : pairs) {
    if (p.tested) continue;
    double scaled = static_cast<double>(p.base.value) * e.scale;
    p.ratio = scaled > 0 ? static_cast<double>(p.cur.value) / scaled : 1.0;
  }
  out.tested_functions = static_cast<int>(tested.size());
  const double alpha = 1.0 - options.confidence;
  std::vector<bool> up_sig = Holm(p_up, alpha), down_sig = Holm(p_down, alpha);
  std::vector<bool> up(pairs.size(), false), down(pairs.size(), false);
  for (size_t t = 0; t < tested.size(); ++t) {
    up[tested[t]] = up_sig[t];
    down[tested[t]] = down_sig[t];
  }
  Classify(pairs, up, down, b, c, e, out);
  SortResults(out);
  return out;
}

std::optional<RegressionAlert> MakeRegressionAlert(const ProfileComparison& comparison,
                                                   int64_t timestamp_nanos) {
  AlertSeverity severity = comparison.severity();
  if (severity == AlertSeverity::kNone) return std::nullopt;
  RegressionAlert alert;
  alert.timestamp = timestamp_nanos;
  alert.alert_id = "alert-" + NewSpanId().ToHex();
  alert.regressions = comparison.regressions;
  alert.threshold_percent = comparison.options.threshold_percent;
  alert.severity = severity;
  return alert;
}

}  // namespace tai

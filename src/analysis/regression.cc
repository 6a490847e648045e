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

constexpr internal::EnumNames<Normalization, 4> kNormalizationNames{{
    {Normalization::kCpuPerSecond, "rate"},
    {Normalization::kShareOfTotal, "share"},
    {Normalization::kPerRun, "run"},
    {Normalization::kPerWork, "work"},
}};

constexpr internal::EnumNames<Normalization, 4> kNormalizationUnits{{
    {Normalization::kCpuPerSecond, "CPU per second of wall time"},
    {Normalization::kShareOfTotal, "share of total"},
    {Normalization::kPerRun, "CPU per run"},
    {Normalization::kPerWork, "CPU per unit of work"},
}};

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

// The continued fraction of the regularised incomplete beta function
// I_x(a, b), evaluated by Lentz's method; converges fast for x < (a+1)/(a+b+2).
double BetaFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  auto guard = [](double v) { return std::fabs(v) < kTiny ? kTiny : v; };
  double c = 1, d = 1 / guard(1 - (a + b) * x / (a + 1)), f = d;
  for (int m = 1; m <= 500; ++m) {
    const double dm = m, m2 = 2.0 * m;
    double even = dm * (b - dm) * x / ((a + m2 - 1) * (a + m2));
    d = 1 / guard(1 + even * d);
    c = guard(1 + even / c);
    f *= d * c;
    double odd = -(a + dm) * (a + b + dm) * x / ((a + m2) * (a + m2 + 1));
    d = 1 / guard(1 + odd * d);
    c = guard(1 + odd / c);
    f *= d * c;
    if (std::fabs(d * c - 1) < 1e-15) break;
  }
  return f;
}

double RegularizedBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front =
      a * std::log(x) + b * std::log1p(-x) - (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
  if (x < (a + 1) / (a + b + 2)) return std::exp(log_front) * BetaFraction(a, b, x) / a;
  return 1 - std::exp(log_front) * BetaFraction(b, a, 1 - x) / b;
}

// The t (or normal) value whose upper tail is `alpha`, by bisection.
double UpperQuantile(double alpha, double df) {
  double lo = 0, hi = 1e4;
  for (int i = 0; i < 200 && hi - lo > 1e-9; ++i) {
    double mid = 0.5 * (lo + hi);
    (StudentTUpperTail(mid, df) > alpha ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// One side of a comparison: each profile's costs and expected samples,
// and the sums.
struct Side {
  std::vector<internal::ProfileCosts> runs;
  // Samples a profile's exposure buys at a cost rate of one: exposure over
  // the sampling period (the total samples for shares).
  std::vector<double> expected;
  internal::ProfileCosts pooled;  // functions and totals summed over the runs
  // In the normalisation's unit: seconds, runs, units of work, or the total value.
  double total_exposure = 0;
  double total_expected = 0;

  int64_t SamplesOf(size_t run, const std::string& function) const {
    auto it = runs[run].functions.find(function);
    return it == runs[run].functions.end() ? 0 : it->second.samples;
  }
};

std::string ProfileLabel(const char* side, size_t i, size_t n) {
  return std::string(side) + " profile" + (n > 1 ? " " + std::to_string(i + 1) : "");
}

// The exposure of one profile on the chosen scale.
Result<double> ExposureOf(const internal::ProfileCosts& costs, Normalization normalization,
                          double work, const std::string& label) {
  switch (normalization) {
    case Normalization::kCpuPerSecond:
      if (costs.duration_nanos <= 0) {
        return InvalidArgumentError(label +
                                    " has no duration (needed for CPU per second; use share "
                                    "of total instead)");
      }
      return static_cast<double>(costs.duration_nanos) / 1e9;
    case Normalization::kPerRun:
      return 1.0;
    case Normalization::kPerWork:
      return work;
    case Normalization::kShareOfTotal:
      if (costs.total_value <= 0) return InvalidArgumentError(label + " has no samples");
      return static_cast<double>(costs.total_value);
  }
  return 1.0;
}

void Pool(const internal::ProfileCosts& run, internal::ProfileCosts& pooled) {
  pooled.total_value += run.total_value;
  pooled.total_samples += run.total_samples;
  pooled.duration_nanos += run.duration_nanos;
  for (const auto& [name, cost] : run.functions) {
    internal::FunctionCost& sum = pooled.functions[name];
    sum.value += cost.value;
    sum.samples += cost.samples;
  }
}

Result<Side> MakeSide(std::span<const Profile> profiles, const std::vector<double>& work,
                      Normalization normalization, CostKind kind, const char* name) {
  if (profiles.empty()) return InvalidArgumentError(std::string("no ") + name + " profile");
  Side side;
  for (size_t i = 0; i < profiles.size(); ++i) {
    const std::string label = ProfileLabel(name, i, profiles.size());
    TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(internal::ProfileCosts costs,
                                      internal::FunctionCosts(profiles[i], kind), label);
    TAI_ASSIGN_OR_RETURN(double x,
                         ExposureOf(costs, normalization, work.empty() ? 0.0 : work[i], label));
    double e = normalization == Normalization::kShareOfTotal
                   ? static_cast<double>(costs.total_samples)
                   : x / costs.period_nanos;
    if (i == 0) {
      side.pooled.value_type = costs.value_type;
      side.pooled.nanoseconds = costs.nanoseconds;
    }
    Pool(costs, side.pooled);
    side.expected.push_back(e);
    side.total_exposure += x;
    side.total_expected += e;
    side.runs.push_back(std::move(costs));
  }
  return side;
}

// The scale a comparison uses, and for kPerWork each profile's work.
struct Resolved {
  Normalization normalization = Normalization::kCpuPerSecond;
  std::vector<double> baseline_work, current_work;
};

// The profiles' own work counts, when every one has one.
std::optional<std::vector<double>> WorkOf(std::span<const Profile> profiles) {
  std::vector<double> work;
  for (const Profile& p : profiles) {
    std::optional<double> w = ProfileWork(p);
    if (!w) return std::nullopt;
    work.push_back(*w);
  }
  return work;
}

// kPerWork needs a work count per profile on both sides, given or carried
// by the profiles; without them it compares shares.
Result<Resolved> ResolveNormalization(const ComparisonOptions& o, std::span<const Profile> baseline,
                                      std::span<const Profile> current) {
  if (o.normalization != Normalization::kPerWork) return Resolved{o.normalization, {}, {}};
  if (o.baseline_work.empty() && o.current_work.empty()) {
    std::optional<std::vector<double>> b = WorkOf(baseline), c = WorkOf(current);
    if (b && c) return Resolved{Normalization::kPerWork, std::move(*b), std::move(*c)};
    return Resolved{Normalization::kShareOfTotal, {}, {}};
  }
  if (o.baseline_work.size() != baseline.size() || o.current_work.size() != current.size()) {
    return InvalidArgumentError("work counts must be given for every profile: baseline_work has " +
                                std::to_string(o.baseline_work.size()) + " for " +
                                std::to_string(baseline.size()) + " profile(s), current_work " +
                                std::to_string(o.current_work.size()) + " for " +
                                std::to_string(current.size()) + " profile(s)");
  }
  return Resolved{Normalization::kPerWork, o.baseline_work, o.current_work};
}

// How much more a function's counts vary from run to run than sampling
// explains: `factor` (>= 1) multiplies the sampling variance, and `df` is
// the degrees of freedom of the test that follows (infinite when there is
// no excess: the sampling variance is then known exactly).
struct Spread {
  double factor = 1;
  double df = HUGE_VAL;
};

// Pearson's statistic of a function's counts over the runs of each side
// with two or more, its degrees of freedom (both sides add to one
// estimate: a change of code does not change how noisy a run is), and the
// function's mean count per run.
struct Dispersion {
  double pearson = 0;
  int df = 0;
  double mean_count = 0;
};

Dispersion DispersionOf(const std::string& function, const Side& b, const Side& c) {
  Dispersion d;
  int64_t samples = 0;
  for (const Side* s : {&b, &c}) {
    auto it = s->pooled.functions.find(function);
    if (it == s->pooled.functions.end() || it->second.samples <= 0) continue;
    samples += it->second.samples;
    if (s->runs.size() < 2) continue;
    const double rate = static_cast<double>(it->second.samples) / s->total_expected;
    for (size_t i = 0; i < s->runs.size(); ++i) {
      const double mean = rate * s->expected[i];
      const double diff = static_cast<double>(s->SamplesOf(i, function)) - mean;
      d.pearson += diff * diff / mean;
    }
    d.df += static_cast<int>(s->runs.size()) - 1;
  }
  d.mean_count = static_cast<double>(samples) / static_cast<double>(b.runs.size() + c.runs.size());
  return d;
}

// Runs that differ by a few percent in speed vary a function's count by
// that fraction of it: variance = mean + kappa * mean^2, so the
// dispersion over sampling noise is 1 + kappa * mean. kappa estimated over
// every tested function at once (0 when the runs vary no more than
// sampling explains).
double PooledKappa(const std::vector<Dispersion>& all) {
  double excess = 0, weight = 0;
  for (const Dispersion& d : all) {
    excess += d.pearson - d.df;
    weight += d.df * d.mean_count;
  }
  return weight > 0 ? std::max(0.0, excess / weight) : 0.0;
}

// A function's own dispersion, from a handful of runs, is noisy; it is
// averaged with the one kappa predicts for its size, weighted as if the
// prediction had as many runs as the function (empirical Bayes shrinkage,
// as in moderated t-tests). The excess over 1 is then estimated with twice
// the function's degrees of freedom, and Satterthwaite's rule gives the
// test df * (factor / excess)^2.
Spread SpreadOf(const Dispersion& own, double kappa) {
  if (own.df == 0) return {};
  const double factor = 0.5 * (own.pearson / own.df + 1 + kappa * own.mean_count);
  if (factor <= 1) return {};
  const double excess = factor - 1, df = 2.0 * own.df;
  return {factor, df * (factor / excess) * (factor / excess)};
}

// The figures of one function on both sides and the test of its change.
struct Pair {
  std::string function;
  internal::FunctionCost base, cur;  // summed over each side's profiles
  bool tested = false;
  double p_up = 1, p_down = 1;
  double ratio = 1;      // normalised current / baseline
  double se_log = 0;     // standard error of log(ratio), spread included
  double df = HUGE_VAL;  // of the test
};

// What puts the baseline on the current side's scale: costs are shown per
// current profile, the baseline scaled to that exposure.
struct Scale {
  double baseline = 1;  // multiplies a baseline value
  double current = 1;   // multiplies a current value
};

Scale ScaleOf(const Side& b, const Side& c) {
  const double per_profile = 1.0 / static_cast<double>(c.runs.size());
  return {c.total_exposure * per_profile / b.total_exposure, per_profile};
}

void TestPair(Pair& p, const Side& b, const Side& c, Normalization normalization,
              const Spread& spread) {
  const int64_t x1 = p.base.samples, x2 = p.cur.samples, n = x1 + x2;
  const bool share = normalization == Normalization::kShareOfTotal;
  const double t1 = static_cast<double>(b.pooled.total_samples);
  const double t2 = static_cast<double>(c.pooled.total_samples);
  const double q =
      share ? t2 / (t1 + t2) : c.total_expected / (b.total_expected + c.total_expected);
  const double dn = static_cast<double>(n);
  if (spread.factor == 1) {
    if (share) {
      p.p_up = HypergeometricUpperTail(x2, n, b.pooled.total_samples, c.pooled.total_samples);
      p.p_down = HypergeometricUpperTail(x1, n, c.pooled.total_samples, b.pooled.total_samples);
    } else {
      p.p_up = BinomialUpperTail(x2, n, q);
      p.p_down = BinomialUpperTail(x1, n, 1 - q);
    }
  } else {
    // Normal approximation of the same test, its variance widened by the spread.
    const double finite = share && t1 + t2 > 1 ? (t1 + t2 - dn) / (t1 + t2 - 1) : 1.0;
    const double sd = std::sqrt(spread.factor * dn * q * (1 - q) * std::max(finite, 0.0));
    const double mean = dn * q, observed = static_cast<double>(x2);
    p.p_up = sd > 0 ? StudentTUpperTail((observed - 0.5 - mean) / sd, spread.df) : 1.0;
    p.p_down = sd > 0 ? StudentTUpperTail((mean - observed - 0.5) / sd, spread.df) : 1.0;
  }
  // Var(log ratio) ~ 1/x1 + 1/x2 at the counts expected under no change
  // (minus 1/total per side for shares, which are binomial), times the spread.
  double var = 1.0 / (dn * q * (1 - q)) - (share ? 1.0 / t1 + 1.0 / t2 : 0.0);
  p.se_log = std::sqrt(std::max(var, 0.0) * spread.factor);
  p.df = spread.df;
}

double Micros(const internal::ProfileCosts& costs, double value) {
  return costs.nanoseconds ? value / 1000.0 : value;
}

double Share(const internal::FunctionCost& cost, const internal::ProfileCosts& profile) {
  return profile.total_value > 0
             ? static_cast<double>(cost.value) / static_cast<double>(profile.total_value)
             : 0.0;
}

// `micros` on the current side's scale.
FunctionPresence Presence(const Pair& p, const internal::FunctionCost& side,
                          const internal::ProfileCosts& costs, int64_t micros) {
  return FunctionPresence{p.function, micros, side.samples, Share(side, costs)};
}

// The smallest increase and reduction (percent) a tested function could
// have shown: significant at the first (strictest) step of Holm's
// procedure, and at least the threshold.
struct Detectable {
  double increase = 0, reduction = 0;
};

Detectable DetectableOf(const Pair& p, double alpha_per_test, double threshold) {
  if (!p.tested) return {};
  const double z = UpperQuantile(alpha_per_test, p.df) * p.se_log;
  return {std::max(threshold, 100.0 * std::expm1(z)), std::max(threshold, -100.0 * std::expm1(-z))};
}

void Classify(const std::vector<Pair>& pairs, const std::vector<bool>& up,
              const std::vector<bool>& down, const Side& b, const Side& c, const Scale& scale,
              ProfileComparison& out) {
  const double threshold = out.options.threshold_percent;
  const double alpha_per_test = (1.0 - out.options.confidence) / std::max(1, out.tested_functions);
  const internal::ProfileCosts& cp = c.pooled;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const Pair& p = pairs[i];
    int64_t base_us = std::llround(Micros(cp, static_cast<double>(p.base.value) * scale.baseline));
    int64_t cur_us = std::llround(Micros(cp, static_cast<double>(p.cur.value) * scale.current));
    double change = 100.0 * (p.ratio - 1.0);
    Detectable d = DetectableOf(p, alpha_per_test, threshold);
    if (p.base.samples == 0 && up[i]) {
      out.added.push_back(Presence(p, p.cur, cp, cur_us));
    } else if (p.cur.samples == 0 && down[i]) {
      out.removed.push_back(Presence(p, p.base, b.pooled, base_us));
      out.improvements.push_back(
          Improvement{p.function, base_us, 0, 100.0, p.base.samples, 0, p.p_down, d.reduction});
    } else if (up[i] && change >= threshold) {
      out.regressions.push_back(Regression{p.function, base_us, cur_us, change, p.base.samples,
                                           p.cur.samples, p.p_up, SeverityForIncrease(change),
                                           d.increase});
    } else if (down[i] && -change >= threshold) {
      out.improvements.push_back(Improvement{p.function, base_us, cur_us, -change, p.base.samples,
                                             p.cur.samples, p.p_down, d.reduction});
    } else {
      out.unchanged.push_back(UnchangedFunction{p.function, base_us, cur_us,
                                                std::isfinite(change) ? change : 0.0, p.tested,
                                                up[i] || down[i], d.increase});
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

// current / baseline, each per unit of its side's exposure.
double Ratio(double base_value, double cur_value, const Side& b, const Side& c,
             double if_no_baseline) {
  const double scaled = base_value * c.total_exposure / b.total_exposure;
  return scaled > 0 ? cur_value / scaled : if_no_baseline;
}

// Tests every pair that holds enough of the total; returns which changes
// are significant upwards and downwards after Holm's correction.
std::pair<std::vector<bool>, std::vector<bool>> TestAll(std::vector<Pair>& pairs, const Side& b,
                                                        const Side& c, Normalization normalization,
                                                        double alpha, int* tested_count) {
  std::vector<double> p_up, p_down;
  std::vector<size_t> tested;
  std::vector<Dispersion> dispersion(pairs.size()), tested_dispersion;
  for (size_t i = 0; i < pairs.size(); ++i) {
    Pair& p = pairs[i];
    const double base = static_cast<double>(p.base.value), cur = static_cast<double>(p.cur.value);
    p.ratio = Ratio(base, cur, b, c, p.tested ? HUGE_VAL : 1.0);
    if (!p.tested) continue;
    dispersion[i] = DispersionOf(p.function, b, c);
    tested_dispersion.push_back(dispersion[i]);
    tested.push_back(i);
  }
  const double kappa = PooledKappa(tested_dispersion);
  for (size_t i : tested) {
    Pair& p = pairs[i];
    TestPair(p, b, c, normalization, SpreadOf(dispersion[i], kappa));
    p_up.push_back(p.p_up);
    p_down.push_back(p.p_down);
  }
  *tested_count = static_cast<int>(tested.size());
  std::vector<bool> up_sig = Holm(p_up, alpha), down_sig = Holm(p_down, alpha);
  std::vector<bool> up(pairs.size(), false), down(pairs.size(), false);
  for (size_t t = 0; t < tested.size(); ++t) {
    up[tested[t]] = up_sig[t];
    down[tested[t]] = down_sig[t];
  }
  return {std::move(up), std::move(down)};
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

std::string_view NormalizationName(Normalization normalization) {
  return internal::NameOf(kNormalizationNames, normalization, "rate");
}

Result<Normalization> ParseNormalization(std::string_view name) {
  if (auto n = internal::ValueNamed(kNormalizationNames, name)) return *n;
  return InvalidArgumentError("unknown normalisation '" + std::string(name) +
                              "' (expected run, rate, share or work)");
}

std::string_view NormalizationUnit(Normalization normalization) {
  return internal::NameOf(kNormalizationUnits, normalization, "CPU per second of wall time");
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
  for (const auto* work : {&baseline_work, &current_work}) {
    for (double w : *work) {
      if (!(w > 0) || !std::isfinite(w)) {
        return InvalidArgumentError(
            std::string(work == &baseline_work ? "baseline_work" : "current_work") +
            " must hold finite counts > 0, not " + std::to_string(w));
      }
    }
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

double StudentTUpperTail(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return 1;
  if (df > 1e7) return 0.5 * std::erfc(t / std::sqrt(2.0));
  // P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2).
  const double two_sided = RegularizedBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 0.5 * two_sided : 1 - 0.5 * two_sided;
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
  return CompareProfileRuns(std::span(&baseline, 1), std::span(&current, 1), options);
}

Result<ProfileComparison> CompareProfileRuns(std::span<const Profile> baseline,
                                             std::span<const Profile> current,
                                             const ComparisonOptions& options) {
  TAI_RETURN_IF_ERROR(options.Validate());
  if (baseline.empty() || current.empty()) {
    return InvalidArgumentError(std::string("no ") + (baseline.empty() ? "baseline" : "current") +
                                " profile to compare");
  }
  for (const Profile& p : baseline) TAI_RETURN_IF_ERROR(SameKind(p, baseline[0]));
  for (const Profile& p : current) TAI_RETURN_IF_ERROR(SameKind(baseline[0], p));
  TAI_ASSIGN_OR_RETURN(Resolved scale, ResolveNormalization(options, baseline, current));
  const Normalization normalization = scale.normalization;
  TAI_ASSIGN_OR_RETURN(
      Side b, MakeSide(baseline, scale.baseline_work, normalization, options.cost, "baseline"));
  TAI_ASSIGN_OR_RETURN(
      Side c, MakeSide(current, scale.current_work, normalization, options.cost, "current"));

  ProfileComparison out;
  out.options = options;
  out.normalization = normalization;
  out.baseline_profiles = static_cast<int>(baseline.size());
  out.current_profiles = static_cast<int>(current.size());
  out.baseline_total_micros =
      std::llround(Micros(b.pooled, static_cast<double>(b.pooled.total_value)));
  out.current_total_micros =
      std::llround(Micros(c.pooled, static_cast<double>(c.pooled.total_value)));
  out.baseline_samples = b.pooled.total_samples;
  out.current_samples = c.pooled.total_samples;
  const double total_ratio = Ratio(static_cast<double>(b.pooled.total_value),
                                   static_cast<double>(c.pooled.total_value), b, c, 1.0);
  out.total_change_percent = 100.0 * (total_ratio - 1);

  std::vector<Pair> pairs = MakePairs(b.pooled, c.pooled, options.min_share);
  auto [up, down] =
      TestAll(pairs, b, c, normalization, 1.0 - options.confidence, &out.tested_functions);
  Classify(pairs, up, down, b, c, ScaleOf(b, c), out);
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

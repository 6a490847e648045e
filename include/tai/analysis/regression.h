// Regression detection: CompareProfiles(baseline, current) says, per
// function, whether its cost went up (a Regression), down (an Improvement),
// disappeared (removed) or appeared (added), and with what severity, and
// counts a change only when it is both larger than the threshold and
// statistically significant given the samples behind it. An alert made from
// a comparison (RegressionAlert) carries the severity of its worst
// regression, raised to HIGH when three or more are MEDIUM (SeverityOf).
//
//   tai::ProfileComparison c = tai::CompareProfiles(baseline, current).value();
//   for (const tai::Regression& r : c.regressions) ... r.increase_percent ...
//
// Several profiles per side (repeated runs of a job, or consecutive windows)
// are compared by CompareProfileRuns, whose test adds their run-to-run
// spread to the sampling noise.
//
// How costs are normalised (CPU per second of wall time, per run, per unit
// of work, or share of the total), the tests used and the smallest change
// each one could detect are documented in docs/profiling.md ("Regression
// detection").
//
// Value types and free functions; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/status.h"
#include "tai/profile/profile.h"
#include "tai/profile/profile_work.h"  // the work counts kPerWork reads

namespace tai {

// The original design's bands, lower bound inclusive: [5, 10) LOW,
// [10, 25) MEDIUM, [25, 50) HIGH, [50, inf) CRITICAL. kNone below 5%.
enum class AlertSeverity { kNone = 0, kLow, kMedium, kHigh, kCritical };

std::string_view AlertSeverityName(AlertSeverity severity);  // "NONE", "LOW", ...
// Accepts the names in any case ("high", "HIGH").
Result<AlertSeverity> ParseAlertSeverity(std::string_view name);
AlertSeverity SeverityForIncrease(double increase_percent);

// How two profiles of different lengths and sample counts are put on one scale.
enum class Normalization {
  // CPU time per second of wall time (Profile::duration_nanos). A function's
  // slowdown shows at its full size; a change in load shows as a change of
  // every function. The library's default (the continuous service's
  // windows): most statistical power, the original design's reading
  // ("func_a: 100ms vs 115ms" over equal windows). `taiobs diff` uses kPerRun.
  kCpuPerSecond,
  // The function's share of the profile's total. Immune to load changes;
  // a function's own growth dilutes its share, so a function holding s of
  // the CPU made k slower shows k / (1 + k*s) more share.
  kShareOfTotal,
  // CPU per profile, whatever its length: for runs of one fixed job (a
  // benchmark, a load test, a CI job), where a slower run lasts longer and
  // per second of wall time would dilute every function's slowdown.
  kPerRun,
  // CPU per unit of work (a request served), from the work counts each
  // profile covers (ComparisonOptions::baseline_work, current_work): for a
  // service whose traffic changes between windows. Without work counts it
  // compares shares (kShareOfTotal), and ProfileComparison::normalization
  // says so.
  kPerWork,
};

// "rate", "share", "run", "work": the names `taiobs diff --normalize` takes.
std::string_view NormalizationName(Normalization normalization);
Result<Normalization> ParseNormalization(std::string_view name);
// "CPU per second of wall time", "share of total", "CPU per run", "CPU per unit of work".
std::string_view NormalizationUnit(Normalization normalization);

enum class CostKind {
  kSelf,        // samples whose leaf is the function
  kCumulative,  // samples with the function anywhere on the stack
};

struct ComparisonOptions {
  // A change counts only at or above this many percent (and when significant).
  double threshold_percent = 10.0;
  // One-sided confidence that the change is real, family-wise over every
  // function tested (Holm's correction), separately for increases and
  // decreases. 0.9999: at most one false alarm in ten thousand comparisons
  // (a week of one-minute windows).
  double confidence = 0.9999;
  // Functions below this share of the total in both profiles are not tested.
  double min_share = 0.01;
  Normalization normalization = Normalization::kCpuPerSecond;
  CostKind cost = CostKind::kSelf;
  // For kPerWork: the units of work (requests served, jobs done) each
  // profile of the side covers, one per profile and each > 0. Empty: the
  // profiles' own counts (ProfileWork) when every profile has one, else
  // the comparison uses shares.
  std::vector<double> baseline_work;
  std::vector<double> current_work;
  Status Validate() const;
};

// current_micros is the current side's cost per profile (its mean over the
// side's profiles) and baseline_micros the baseline's cost scaled to the
// same exposure (duration, run, work or total, by the normalisation), so
// that increase_percent = 100 * (current_micros / baseline_micros - 1).
// Samples are summed over a side's profiles.
//
// detectable_percent is the smallest change (increase for regressions and
// unchanged functions, reduction for improvements, in percent) that this
// comparison could have reported for the function: significant at the
// chosen confidence with its sample counts and spread, and at least the
// threshold. 0 for a function that was not tested.
struct Regression {
  std::string function;
  int64_t baseline_micros = 0;
  int64_t current_micros = 0;
  double increase_percent = 0;
  int64_t baseline_samples = 0;
  int64_t current_samples = 0;
  double p_value = 1;  // one-sided, before Holm's correction
  AlertSeverity severity = AlertSeverity::kNone;
  double detectable_percent = 0;
  friend bool operator==(const Regression&, const Regression&) = default;
};

struct Improvement {
  std::string function;
  int64_t baseline_micros = 0;
  int64_t current_micros = 0;
  double reduction_percent = 0;  // 100 for a removed function
  int64_t baseline_samples = 0;
  int64_t current_samples = 0;
  double p_value = 1;
  double detectable_percent = 0;
  friend bool operator==(const Improvement&, const Improvement&) = default;
};

// A function present in only one of the two profiles (significantly so).
struct FunctionPresence {
  std::string function;
  int64_t micros = 0;  // in the profile where it is present (scaled for a removed one)
  int64_t samples = 0;
  double share = 0;  // of that profile's total
  friend bool operator==(const FunctionPresence&, const FunctionPresence&) = default;
};

// A function whose change was not counted (below the threshold, not
// significant, or too small to test), for tables such as `taiobs diff`.
struct UnchangedFunction {
  std::string function;
  int64_t baseline_micros = 0;
  int64_t current_micros = 0;
  double change_percent = 0;
  bool tested = false;            // false: below min_share in both profiles
  bool significant = false;       // tested and significant, but below the threshold
  double detectable_percent = 0;  // the smallest increase that would have counted
  friend bool operator==(const UnchangedFunction&, const UnchangedFunction&) = default;
};

struct ProfileComparison {
  std::vector<Regression> regressions;    // largest increase first
  std::vector<Improvement> improvements;  // largest reduction first; removed ones too (100%)
  std::vector<FunctionPresence> removed;  // in the baseline, gone now (also an improvement)
  std::vector<FunctionPresence> added;    // new in the current profile
  std::vector<UnchangedFunction> unchanged;
  // Totals in microseconds and samples (summed over a side's profiles), and
  // the change of the total on the chosen scale (a large one under
  // kCpuPerSecond usually means the load changed).
  int64_t baseline_total_micros = 0;
  int64_t current_total_micros = 0;
  int64_t baseline_samples = 0;
  int64_t current_samples = 0;
  double total_change_percent = 0;
  int tested_functions = 0;
  // The scale used: options.normalization, or kShareOfTotal for kPerWork
  // without work counts.
  Normalization normalization = Normalization::kCpuPerSecond;
  int baseline_profiles = 1;
  int current_profiles = 1;
  ComparisonOptions options;
  // The worst severity among the regressions, by SeverityOf's rule.
  AlertSeverity severity() const;
};

// Compares two profiles of the same kind (same default sample type). Fails
// with kInvalidArgument when they cannot be compared (different or missing
// sample types, no duration for kCpuPerSecond, bad options), naming what.
Result<ProfileComparison> CompareProfiles(const Profile& baseline, const Profile& current,
                                          const ComparisonOptions& options = {});

// The same over several profiles per side (repeated runs of a job, or a
// service's windows), each side at least one. Costs are pooled per side;
// when a side has two or more profiles, each function's run-to-run spread
// beyond sampling noise (estimated from both sides) widens its test, so a
// change must stand out from how much the runs differ among themselves.
Result<ProfileComparison> CompareProfileRuns(std::span<const Profile> baseline,
                                             std::span<const Profile> current,
                                             const ComparisonOptions& options = {});

// The alert severity of a set of regressions: the worst one's band, raised
// to HIGH when three or more are MEDIUM (many medium slowdowns at once add up
// to a large one). kNone for none.
AlertSeverity SeverityOf(const std::vector<Regression>& regressions);

struct RegressionAlert {
  int64_t timestamp = 0;  // ns since the Unix epoch
  std::string alert_id;   // "alert-" + 16 hex digits
  std::vector<Regression> regressions;
  double threshold_percent = 0;
  AlertSeverity severity = AlertSeverity::kNone;
};

// An alert for the comparison's regressions, or nullopt when there are none.
std::optional<RegressionAlert> MakeRegressionAlert(const ProfileComparison& comparison,
                                                   int64_t timestamp_nanos);

// One-sided p-values of the tests, exposed for tests and tools: the
// probability of seeing at least `x` of `n` samples on the current side
// when the current side's expected fraction is `q` (binomial), and the same
// when the totals are fixed (hypergeometric: `n` function samples among
// total1 + total2, `x` of them in the current profile's total2).
double BinomialUpperTail(int64_t x, int64_t n, double q);
double HypergeometricUpperTail(int64_t x, int64_t n, int64_t total1, int64_t total2);
// P(T >= t) for Student's t with `df` degrees of freedom (any df > 0, not
// only whole numbers; the normal distribution for an infinite df).
double StudentTUpperTail(double t, double df);

}  // namespace tai

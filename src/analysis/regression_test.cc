#include "tai/analysis/regression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include "analysis/synthetic_profile_testing.h"
#include "profile/workload_testing.h"
#include "tai/profile/cpu_profiler.h"

namespace tai {
namespace {

using analysis_testing::SampleProfile;
using analysis_testing::ServiceWorkload;
using analysis_testing::Slowed;

constexpr int kRuns = 100;

ComparisonOptions With(Normalization n) {
  ComparisonOptions o;
  o.normalization = n;
  return o;
}

Profile Exact(const std::vector<std::pair<std::string, int64_t>>& functions, double seconds = 60) {
  return analysis_testing::ExactProfile(functions, seconds);
}

TEST(TailTest, MatchesHandComputedValues) {
  EXPECT_NEAR(BinomialUpperTail(8, 10, 0.5), 56.0 / 1024, 1e-12);  // C(10,8)+C(10,9)+C(10,10)
  EXPECT_NEAR(BinomialUpperTail(1, 10, 0.5), 1 - 1.0 / 1024, 1e-12);
  EXPECT_EQ(BinomialUpperTail(0, 10, 0.5), 1.0);
  EXPECT_EQ(BinomialUpperTail(11, 10, 0.5), 0.0);
  // Fisher's tea-tasting table: all 4 of 4 right, 8 cups, 4 of each.
  EXPECT_NEAR(HypergeometricUpperTail(4, 4, 4, 4), 1.0 / 70, 1e-12);
  EXPECT_NEAR(HypergeometricUpperTail(3, 4, 4, 4), 17.0 / 70, 1e-12);
  // Far tails stay accurate rather than rounding to 0 or 1 - tiny.
  double far = BinomialUpperTail(700, 1000, 0.5);
  EXPECT_GT(far, 0);
  EXPECT_LT(far, 1e-30);
}

TEST(SeverityTest, BandsIncludeTheirLowerBound) {
  EXPECT_EQ(SeverityForIncrease(4.999), AlertSeverity::kNone);
  EXPECT_EQ(SeverityForIncrease(5.0), AlertSeverity::kLow);
  EXPECT_EQ(SeverityForIncrease(9.999), AlertSeverity::kLow);
  EXPECT_EQ(SeverityForIncrease(10.0), AlertSeverity::kMedium);
  EXPECT_EQ(SeverityForIncrease(24.999), AlertSeverity::kMedium);
  EXPECT_EQ(SeverityForIncrease(25.0), AlertSeverity::kHigh);
  EXPECT_EQ(SeverityForIncrease(49.999), AlertSeverity::kHigh);
  EXPECT_EQ(SeverityForIncrease(50.0), AlertSeverity::kCritical);
  EXPECT_EQ(SeverityForIncrease(HUGE_VAL), AlertSeverity::kCritical);
  EXPECT_EQ(AlertSeverityName(AlertSeverity::kHigh), "HIGH");
  EXPECT_EQ(*ParseAlertSeverity("medium"), AlertSeverity::kMedium);
  Result<AlertSeverity> bad = ParseAlertSeverity("severe");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'severe'"), std::string::npos);
}

TEST(SeverityTest, WorstWinsAndThreeMediumsMakeHigh) {
  auto r = [](AlertSeverity s) { return Regression{"f", 1, 2, 0, 1, 1, 0, s}; };
  EXPECT_EQ(SeverityOf({}), AlertSeverity::kNone);
  EXPECT_EQ(SeverityOf({r(AlertSeverity::kLow), r(AlertSeverity::kCritical)}),
            AlertSeverity::kCritical);
  EXPECT_EQ(SeverityOf({r(AlertSeverity::kMedium), r(AlertSeverity::kMedium)}),
            AlertSeverity::kMedium);
  EXPECT_EQ(
      SeverityOf({r(AlertSeverity::kMedium), r(AlertSeverity::kMedium), r(AlertSeverity::kMedium)}),
      AlertSeverity::kHigh);
  EXPECT_EQ(SeverityOf({r(AlertSeverity::kMedium), r(AlertSeverity::kMedium),
                        r(AlertSeverity::kMedium), r(AlertSeverity::kCritical)}),
            AlertSeverity::kCritical);
}

// Exact profiles, large enough that every change tested is significant: the
// severity follows the band edges of the increase.
TEST(CompareProfilesTest, SeverityAtTheBandEdges) {
  struct Case {
    int64_t current;
    AlertSeverity severity;
  };
  for (Case c : {Case{105'000, AlertSeverity::kLow}, Case{124'900, AlertSeverity::kMedium},
                 Case{125'000, AlertSeverity::kHigh}, Case{149'900, AlertSeverity::kHigh},
                 Case{150'000, AlertSeverity::kCritical}}) {
    ComparisonOptions o;
    o.threshold_percent = 5;
    Result<ProfileComparison> cmp = CompareProfiles(Exact({{"f", 100'000}, {"g", 100'000}}),
                                                    Exact({{"f", c.current}, {"g", 100'000}}), o);
    ASSERT_TRUE(cmp.ok()) << cmp.status().ToString();
    ASSERT_EQ(cmp->regressions.size(), 1u) << c.current;
    const Regression& r = cmp->regressions[0];
    EXPECT_EQ(r.function, "f");
    EXPECT_EQ(r.severity, c.severity) << r.increase_percent;
    EXPECT_EQ(r.baseline_micros, 1'000'000'000);  // 100'000 samples of 10 ms
    EXPECT_EQ(r.current_micros, c.current * 10'000);
    EXPECT_DOUBLE_EQ(r.increase_percent, 100.0 * (static_cast<double>(c.current) / 1e5 - 1));
    EXPECT_EQ(r.baseline_samples, 100'000);
    EXPECT_EQ(r.current_samples, c.current);
    EXPECT_EQ(cmp->severity(), c.severity);
  }
}

TEST(CompareProfilesTest, BelowThresholdIsUnchangedEvenWhenSignificant) {
  Result<ProfileComparison> cmp =
      CompareProfiles(Exact({{"f", 100'000}}), Exact({{"f", 109'000}}));  // +9%, threshold 10
  ASSERT_TRUE(cmp.ok());
  EXPECT_TRUE(cmp->regressions.empty());
  ASSERT_EQ(cmp->unchanged.size(), 1u);
  EXPECT_NEAR(cmp->unchanged[0].change_percent, 9.0, 1e-9);
  EXPECT_TRUE(cmp->unchanged[0].tested);
  EXPECT_TRUE(cmp->unchanged[0].significant);
}

TEST(CompareProfilesTest, LargeChangeOnFewSamplesIsNotSignificant) {
  // 60 -> 80 samples (+33%) of a function in a 6000-sample profile: p ~ 0.05.
  Result<ProfileComparison> cmp =
      CompareProfiles(Exact({{"rare", 60}, {"rest", 5940}}), Exact({{"rare", 80}, {"rest", 5940}}));
  ASSERT_TRUE(cmp.ok());
  EXPECT_TRUE(cmp->regressions.empty());
  ASSERT_EQ(cmp->unchanged.size(), 2u);
  EXPECT_EQ(cmp->unchanged[1].function, "rare");
  EXPECT_TRUE(cmp->unchanged[1].tested);
  EXPECT_FALSE(cmp->unchanged[1].significant);
}

TEST(CompareProfilesTest, NormalisesDifferentLengths) {
  // 60 s against 30 s of the same rates: no change per second of wall time;
  // the baseline is reported on the current profile's scale.
  Result<ProfileComparison> cmp =
      CompareProfiles(Exact({{"f", 3000}, {"g", 3000}}, 60), Exact({{"f", 1500}, {"g", 1800}}, 30));
  ASSERT_TRUE(cmp.ok());
  ASSERT_EQ(cmp->regressions.size(), 1u);
  EXPECT_EQ(cmp->regressions[0].function, "g");
  EXPECT_EQ(cmp->regressions[0].baseline_micros, 15'000'000);  // 3000 samples * 10 ms / 2
  EXPECT_EQ(cmp->regressions[0].current_micros, 18'000'000);
  EXPECT_NEAR(cmp->regressions[0].increase_percent, 20.0, 1e-9);
  ASSERT_EQ(cmp->unchanged.size(), 1u);
  EXPECT_EQ(cmp->unchanged[0].function, "f");
}

TEST(CompareProfilesTest, ShareOfTotalIgnoresLoad) {
  // Twice the load, same mix: every function doubles per second, none in share.
  Profile base = Exact({{"f", 3000}, {"g", 1000}});
  Profile twice = Exact({{"f", 6000}, {"g", 2000}});
  Result<ProfileComparison> rate = CompareProfiles(base, twice);
  ASSERT_TRUE(rate.ok());
  EXPECT_EQ(rate->regressions.size(), 2u);
  EXPECT_NEAR(rate->total_change_percent, 100.0, 1e-9);
  Result<ProfileComparison> share =
      CompareProfiles(base, twice, With(Normalization::kShareOfTotal));
  ASSERT_TRUE(share.ok());
  EXPECT_TRUE(share->regressions.empty());
  EXPECT_TRUE(share->improvements.empty());
  EXPECT_NEAR(share->total_change_percent, 0.0, 1e-9);
}

TEST(CompareProfilesTest, AnIdleWindowRemovesEverythingAndRaisesNothing) {
  Profile idle = Exact({});
  Result<ProfileComparison> c = CompareProfiles(Exact({{"f", 3000}, {"g", 100}}), idle);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->regressions.empty());
  ASSERT_EQ(c->removed.size(), 2u);
  EXPECT_EQ(c->removed[0].function, "f");
  EXPECT_NEAR(c->total_change_percent, -100.0, 1e-9);
  Result<ProfileComparison> back = CompareProfiles(idle, Exact({{"f", 3000}}));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->added.size(), 1u);
  EXPECT_TRUE(back->regressions.empty());
  Result<ProfileComparison> share = CompareProfiles(idle, idle, With(Normalization::kShareOfTotal));
  ASSERT_FALSE(share.ok());
  EXPECT_NE(share.status().message().find("baseline profile has no samples"), std::string::npos);
}

TEST(CompareProfilesTest, CumulativeCostSeesTheCaller) {
  Result<ProfileComparison> self = CompareProfiles(Exact({{"f", 3000}}), Exact({{"f", 3600}}));
  ComparisonOptions o;
  o.cost = CostKind::kCumulative;
  Result<ProfileComparison> cum = CompareProfiles(Exact({{"f", 3000}}), Exact({{"f", 3600}}), o);
  ASSERT_TRUE(self.ok() && cum.ok());
  ASSERT_EQ(self->regressions.size(), 1u);  // only the leaf has self time
  std::vector<std::string> names;
  for (const Regression& r : cum->regressions) names.push_back(r.function);
  EXPECT_EQ(names, (std::vector<std::string>{"f", "handle_request", "main"}));
}

TEST(CompareProfilesTest, RejectsWhatCannotBeCompared) {
  Profile cpu = Exact({{"f", 10}});
  Profile heap = cpu;
  heap.sample_types = {{"inuse_space", "bytes"}};
  for (ProfileSample& s : heap.samples) s.values = {s.values[1]};
  Result<ProfileComparison> r = CompareProfiles(cpu, heap);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("inuse_space/bytes"), std::string::npos);

  Profile no_duration = cpu;
  no_duration.duration_nanos = 0;
  r = CompareProfiles(no_duration, cpu);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("baseline profile has no duration"), std::string::npos);
  EXPECT_TRUE(CompareProfiles(no_duration, cpu, With(Normalization::kShareOfTotal)).ok());

  EXPECT_FALSE(CompareProfiles(Profile{}, cpu).ok());
  Profile no_counts = cpu;  // cpu/nanoseconds only, no period: samples unknown
  no_counts.sample_types = {{"cpu", "nanoseconds"}};
  no_counts.period = 0;
  for (ProfileSample& s : no_counts.samples) s.values = {s.values[1]};
  r = CompareProfiles(no_counts, no_counts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no sample counts"), std::string::npos);
  no_counts.period = 10'000'000;  // with the period, value / period counts them
  EXPECT_TRUE(CompareProfiles(no_counts, no_counts).ok());
  ComparisonOptions bad;
  bad.confidence = 1.5;
  r = CompareProfiles(cpu, cpu, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("confidence"), std::string::npos);
}

// The noise claims, on 100 seeded pairs of 60 s profiles at 100 Hz (6000
// samples) of a 30-function service (16 functions above the 1% share that
// is tested), at the default 0.9999 family-wise confidence.
//
// False alarms: Holm keeps the chance of any false regression per
// comparison under 1e-4, so 100 comparisons alarm with probability < 1%
// (fewer still: the tests are conservative for Poisson counts, and a
// change must also reach the 10% threshold). Seeded, so the outcome is
// fixed. (At 0.999 seed 1199 below drew func_4 210 -> 298 samples,
// p = 5.5e-5, a false alarm of the kind 0.999 allows once a thousand runs.)
TEST(NoiseTest, SameWorkloadPairsRaiseNothing) {
  const auto workload = ServiceWorkload();
  for (Normalization n : {Normalization::kCpuPerSecond, Normalization::kShareOfTotal}) {
    int alarms = 0, removed = 0, added = 0, improvements = 0;
    for (int run = 0; run < kRuns; ++run) {
      Profile base = SampleProfile(workload, 2 * run + 1);
      Profile cur = SampleProfile(workload, 2 * run + 2);
      Result<ProfileComparison> c = CompareProfiles(base, cur, With(n));
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      EXPECT_GE(c->tested_functions, 15);
      alarms += !c->regressions.empty();
      improvements += !c->improvements.empty();
      removed += !c->removed.empty();
      added += !c->added.empty();
    }
    EXPECT_EQ(alarms, 0) << static_cast<int>(n);
    EXPECT_EQ(improvements, 0);
    EXPECT_EQ(removed, 0);
    EXPECT_EQ(added, 0);
  }
}

// database_query (40% of a core) made 25% slower, the rest of the service
// unchanged. Per second of wall time that is 2400 -> 3000 expected samples:
// the log-ratio is 0.223 with a standard error of 0.027, 8.2 standard
// errors, against a Holm critical value of at most 4.4 (16 tests at 1e-4):
// a miss has probability ~1e-4 per run, ~1% over 100 runs. The observed
// increase is 25% +- 3.4 (one standard error), so the band is MEDIUM or
// HIGH (25% is the edge) and never another function's regression.
TEST(NoiseTest, TwentyFivePercentSlowerIsCaughtEveryTime) {
  const auto base_workload = ServiceWorkload();
  const auto slow_workload = Slowed(base_workload, "database_query", 1.25);
  int caught = 0, high = 0;
  for (int run = 0; run < kRuns; ++run) {
    Profile base = SampleProfile(base_workload, 1000 + 2 * run);
    Profile cur = SampleProfile(slow_workload, 1001 + 2 * run);
    Result<ProfileComparison> c = CompareProfiles(base, cur);
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c->regressions.size(), 1u) << "run " << run;
    const Regression& r = c->regressions[0];
    EXPECT_EQ(r.function, "database_query");
    EXPECT_GT(r.increase_percent, 14.0);
    EXPECT_LT(r.increase_percent, 36.0);
    EXPECT_TRUE(r.severity == AlertSeverity::kMedium || r.severity == AlertSeverity::kHigh);
    EXPECT_EQ(r.severity, SeverityForIncrease(r.increase_percent));
    caught += 1;
    high += r.severity == AlertSeverity::kHigh;
  }
  EXPECT_EQ(caught, kRuns);
  // Half above the edge, half below: the estimate is unbiased.
  EXPECT_GT(high, 25);
  EXPECT_LT(high, 75);
}

// Share of total on the same data: the function's own growth dilutes its
// share (+25% of 40% of the CPU is +13.6% of share), which leaves a 10%
// threshold about 1.3 standard errors away; a 50% slowdown (+25% of share)
// is caught every time. The measured power of the 25% case is asserted as
// a floor (926 of 1000 seeded runs: share of total is the weaker test).
TEST(NoiseTest, ShareOfTotalCatchesFiftyPercentEveryTime) {
  const auto base_workload = ServiceWorkload();
  int caught50 = 0, caught25 = 0;
  for (int run = 0; run < kRuns; ++run) {
    Profile base = SampleProfile(base_workload, 5000 + 3 * run);
    Profile cur50 = SampleProfile(Slowed(base_workload, "database_query", 1.5), 5001 + 3 * run);
    Profile cur25 = SampleProfile(Slowed(base_workload, "database_query", 1.25), 5002 + 3 * run);
    Result<ProfileComparison> c50 =
        CompareProfiles(base, cur50, With(Normalization::kShareOfTotal));
    Result<ProfileComparison> c25 =
        CompareProfiles(base, cur25, With(Normalization::kShareOfTotal));
    ASSERT_TRUE(c50.ok() && c25.ok());
    ASSERT_LE(c50->regressions.size(), 1u);
    ASSERT_LE(c25->regressions.size(), 1u);
    caught50 += c50->regressions.size() == 1 && c50->regressions[0].function == "database_query";
    caught25 += c25->regressions.size() == 1 && c25->regressions[0].function == "database_query";
  }
  EXPECT_EQ(caught50, kRuns);
  EXPECT_GE(caught25, 85);
}

// func_3 (5% of the CPU, ~300 samples a minute) no longer runs.
TEST(NoiseTest, RemovedFunctionIsReportedAsRemoved) {
  const auto base_workload = ServiceWorkload();
  const auto without = Slowed(base_workload, "func_3", 0.0);
  for (int run = 0; run < kRuns; ++run) {
    Result<ProfileComparison> c = CompareProfiles(SampleProfile(base_workload, 9000 + 2 * run),
                                                  SampleProfile(without, 9001 + 2 * run));
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c->removed.size(), 1u) << "run " << run;
    EXPECT_EQ(c->removed[0].function, "func_3");
    EXPECT_GT(c->removed[0].samples, 250);
    ASSERT_FALSE(c->improvements.empty());
    EXPECT_EQ(c->improvements[0].function, "func_3");
    EXPECT_EQ(c->improvements[0].reduction_percent, 100.0);
    EXPECT_EQ(c->improvements[0].current_micros, 0);
    EXPECT_TRUE(c->regressions.empty());
    EXPECT_TRUE(c->added.empty());
  }
}

TEST(NoiseTest, NewFunctionIsReportedAsAdded) {
  auto base_workload = ServiceWorkload();
  auto with = base_workload;
  with.push_back({"new_feature", 0.05});
  Result<ProfileComparison> c =
      CompareProfiles(SampleProfile(base_workload, 77), SampleProfile(with, 78));
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->added.size(), 1u);
  EXPECT_EQ(c->added[0].function, "new_feature");
  EXPECT_NEAR(c->added[0].share, 0.05, 0.015);
  EXPECT_TRUE(c->regressions.empty());
}

TEST(AlertTest, CarriesTheRegressionsAndSeverity) {
  ComparisonOptions o;
  o.threshold_percent = 10;
  Result<ProfileComparison> c = CompareProfiles(Exact({{"database_query", 5000}, {"g", 5000}}),
                                                Exact({{"database_query", 7500}, {"g", 5000}}), o);
  ASSERT_TRUE(c.ok());
  std::optional<RegressionAlert> alert = MakeRegressionAlert(*c, 1'769'337'000'000'000'000);
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->timestamp, 1'769'337'000'000'000'000);
  EXPECT_EQ(alert->alert_id.rfind("alert-", 0), 0u);
  EXPECT_EQ(alert->alert_id.size(), 6u + 16u);
  ASSERT_EQ(alert->regressions.size(), 1u);
  EXPECT_EQ(alert->regressions[0].baseline_micros, 50'000'000);
  EXPECT_EQ(alert->regressions[0].current_micros, 75'000'000);
  EXPECT_DOUBLE_EQ(alert->regressions[0].increase_percent, 50.0);
  EXPECT_EQ(alert->threshold_percent, 10.0);
  EXPECT_EQ(alert->severity, AlertSeverity::kCritical);  // 50% is CRITICAL, as in the design
  Result<ProfileComparison> none = CompareProfiles(Exact({{"g", 5000}}), Exact({{"g", 5000}}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(MakeRegressionAlert(*none, 1).has_value());
}

// The real profiler: ~3 s of CPU per profile at 250 Hz (the kernel's tick,
// so each sample is one observation), a loop whose calls split the CPU
// 40/30/30 over alpha/beta/gamma, then the same loop with alpha's calls
// three times as long (share 40% -> 67%: ~300 -> ~500 samples, about 10
// standard errors). The two workloads of a comparison run in one profile,
// an iteration of each in turn under a label naming it, and the samples are
// split by that label: whatever else the host runs (a parallel build slows
// memory-bound code) then weighs on both alike, where two profiles taken one
// after the other saw a +36% shift of one function on a loaded host. A
// warm-up profile first takes the one-time symbolization out of the
// profiles compared.
void BurnIteration(uint64_t alpha_iterations) {
  tai_burn_alpha(alpha_iterations);
  tai_burn_beta(30'000);
  tai_burn_gamma(30'000);
}

Profile SamplesOfRun(const Profile& profile, std::string_view run) {
  Profile out = profile;
  std::erase_if(out.samples, [&](const ProfileSample& s) {
    return std::none_of(s.labels.begin(), s.labels.end(),
                        [&](const ProfileLabel& l) { return l.key == "run" && l.str == run; });
  });
  return out;
}

// Each workload gets about `cpu_nanos` of CPU when they cost the same.
std::pair<Profile, Profile> ProfileLoops(uint64_t first_alpha, uint64_t second_alpha,
                                         int64_t cpu_nanos) {
  CpuProfiler profiler;
  EXPECT_TRUE(profiler.Start({.hz = 250}).ok());
  int64_t start = profile_testing::ThreadCpuNanos();
  while (profile_testing::ThreadCpuNanos() - start < 2 * cpu_nanos) {
    {
      ScopedProfileLabels run({{"run", "first"}});
      BurnIteration(first_alpha);
    }
    {
      ScopedProfileLabels run({{"run", "second"}});
      BurnIteration(second_alpha);
    }
  }
  Result<Profile> p = profiler.Stop();
  EXPECT_TRUE(p.ok());
  if (!p.ok()) return {};
  return {SamplesOfRun(*p, "first"), SamplesOfRun(*p, "second")};
}

TEST(RealProfilerTest, SlowedFunctionCaughtSameWorkloadQuiet) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan defers asynchronous signals to its own safe points (interceptor "
                  "calls), so a sample's pc and labels are those where TSan delivered it";
#endif
  ProfileLoops(40'000, 40'000, 100'000'000);
  auto [a, b] = ProfileLoops(40'000, 40'000, 3'000'000'000);
  auto [base, slow] = ProfileLoops(40'000, 120'000, 3'000'000'000);
  ComparisonOptions o =
      With(Normalization::kShareOfTotal);  // a CPU-bound loop: share is what moves
  Result<ProfileComparison> same = CompareProfiles(a, b, o);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  for (const Regression& r : same->regressions)
    ADD_FAILURE() << r.function << " " << r.increase_percent;
  Result<ProfileComparison> slower = CompareProfiles(base, slow, o);
  ASSERT_TRUE(slower.ok());
  bool found = false;
  for (const Regression& r : slower->regressions) {
    if (r.function == "tai_burn_alpha") found = true;
  }
  std::string table = "totals " + std::to_string(slower->baseline_samples) + " -> " +
                      std::to_string(slower->current_samples) + " samples\n";
  for (const UnchangedFunction& u : slower->unchanged) {
    table += u.function + " " + std::to_string(u.baseline_micros) + " -> " +
             std::to_string(u.current_micros) + " (" + std::to_string(u.change_percent) + "%)\n";
  }
  EXPECT_TRUE(found) << "alpha's regression not found; unchanged:\n" << table;
  for (const Regression& r : slower->regressions) EXPECT_EQ(r.function, "tai_burn_alpha");
}

}  // namespace
}  // namespace tai

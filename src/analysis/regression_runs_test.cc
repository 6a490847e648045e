// Comparisons of runs of a fixed job (CPU per run), of a service under
// changing load (CPU per unit of work), and of several profiles per side
// (their spread in the test), and the smallest change each could detect.
// Profiles are drawn from seeded workload models, so every count below is
// fixed; the rates they stand for were measured over more seeds (see
// docs/profiling.md, "Regression detection").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "analysis/comparison_json.h"
#include "analysis/synthetic_profile_testing.h"
#include "tai/analysis/regression.h"

namespace tai {
namespace {

using analysis_testing::ExactProfile;
using analysis_testing::JobRunProfile;
using analysis_testing::SampleProfile;
using analysis_testing::ServiceWorkload;
using analysis_testing::Slowed;
using analysis_testing::WorkloadFunction;

constexpr int kPairs = 20;

ComparisonOptions With(Normalization n, double confidence = 0.9999) {
  ComparisonOptions o;
  o.normalization = n;
  o.confidence = confidence;
  return o;
}

const Regression* RegressionOf(const ProfileComparison& c, const std::string& function) {
  for (const Regression& r : c.regressions) {
    if (r.function == function) return &r;
  }
  return nullptr;
}

TEST(StudentTTest, MatchesClosedForms) {
  EXPECT_NEAR(StudentTUpperTail(1, 1), 0.25, 1e-12);  // Cauchy: 1/2 - atan(1)/pi
  EXPECT_NEAR(StudentTUpperTail(-1, 1), 0.75, 1e-12);
  EXPECT_NEAR(StudentTUpperTail(1, 2), 0.5 - 1 / (2 * std::sqrt(3.0)), 1e-12);
  EXPECT_NEAR(StudentTUpperTail(2.306004, 8), 0.025, 1e-6);  // the t table's 97.5% point
  EXPECT_NEAR(StudentTUpperTail(1.959964, HUGE_VAL), 0.025, 1e-6);
  EXPECT_NEAR(StudentTUpperTail(1.959964, 1e9), 0.025, 1e-6);
  EXPECT_EQ(StudentTUpperTail(0, 5), 0.5);
  EXPECT_GT(StudentTUpperTail(12, 40), 0);
  EXPECT_LT(StudentTUpperTail(12, 40), 1e-13);
}

// --- Case 1: two runs of a fixed job ------------------------------------

// A CPU-bound job of 4 s; `hot` holds 44% of it. Made 1.25x slower, the run
// lasts 4.44 s: per run `hot` costs +25%, per second of wall time +12.6%.
const std::vector<WorkloadFunction> kSingleRunJob = {
    {"hot", 1.76}, {"parse", 1.0}, {"encode", 0.64}, {"io", 0.4}, {"misc", 0.2}};

TEST(PerRunTest, ASlowerFunctionShowsItsFullSizePerRunNotPerSecond) {
  const auto slow_job = Slowed(kSingleRunJob, "hot", 1.25);
  int per_run_caught = 0, per_second_caught = 0;
  double per_run_sum = 0, per_second_sum = 0;
  for (int pair = 0; pair < kPairs; ++pair) {
    Profile base = JobRunProfile(kSingleRunJob, 100 + 2 * pair, 1000);
    Profile cur = JobRunProfile(slow_job, 101 + 2 * pair, 1000);
    Result<ProfileComparison> run = CompareProfiles(base, cur, With(Normalization::kPerRun));
    Result<ProfileComparison> rate = CompareProfiles(base, cur, With(Normalization::kCpuPerSecond));
    ASSERT_TRUE(run.ok() && rate.ok());
    EXPECT_EQ(run->normalization, Normalization::kPerRun);
    ASSERT_EQ(run->regressions.size(), 1u) << "pair " << pair;
    EXPECT_EQ(run->regressions[0].function, "hot");
    EXPECT_TRUE(run->improvements.empty());
    per_run_caught += 1;
    per_run_sum += run->regressions[0].increase_percent;
    for (const UnchangedFunction& u : rate->unchanged) {
      if (u.function == "hot") per_second_sum += u.change_percent;
    }
    if (const Regression* r = RegressionOf(*rate, "hot")) {
      ++per_second_caught;
      per_second_sum += r->increase_percent;
    }
  }
  EXPECT_EQ(per_run_caught, kPairs);
  EXPECT_NEAR(per_run_sum / kPairs, 25.0, 2.0);
  EXPECT_NEAR(per_second_sum / kPairs, 12.6, 2.0);  // diluted by the longer run
  EXPECT_LT(per_second_caught, kPairs / 2);
}

TEST(PerRunTest, UnchangedRunsRaiseNothing) {
  for (int pair = 0; pair < kPairs; ++pair) {
    Result<ProfileComparison> c = CompareProfiles(
        JobRunProfile(kSingleRunJob, 300 + 2 * pair, 1000),
        JobRunProfile(kSingleRunJob, 301 + 2 * pair, 1000), With(Normalization::kPerRun));
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c->regressions.empty()) << "pair " << pair;
    EXPECT_TRUE(c->improvements.empty()) << "pair " << pair;
  }
}

TEST(PerRunTest, RunsOfDifferentLengthsAreComparedAsTheyAre) {
  // 2 s against 4 s of the same function: per run that is twice the CPU.
  Result<ProfileComparison> c =
      CompareProfiles(ExactProfile({{"f", 1000}, {"g", 1000}}, 2),
                      ExactProfile({{"f", 2000}, {"g", 1000}}, 4), With(Normalization::kPerRun));
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->regressions.size(), 1u);
  EXPECT_EQ(c->regressions[0].baseline_micros, 10'000'000);  // 1000 samples of 10 ms
  EXPECT_EQ(c->regressions[0].current_micros, 20'000'000);
  EXPECT_NEAR(c->regressions[0].increase_percent, 100.0, 1e-9);
}

// --- Several runs per side ----------------------------------------------

// A 4 s job at 100 Hz (400 samples a run), `hot` half of it.
const std::vector<WorkloadFunction> kJob = {
    {"hot", 2.0}, {"parse", 0.8}, {"encode", 0.6}, {"io", 0.4}, {"misc", 0.2}};

std::vector<Profile> Runs(const std::vector<WorkloadFunction>& job, uint64_t seed, int n,
                          double jitter, int hz = 100) {
  std::vector<Profile> out;
  for (int i = 0; i < n; ++i) out.push_back(JobRunProfile(job, seed * 100 + i, hz, jitter));
  return out;
}

// At taiobs diff's confidence (0.99), with 3% run-to-run jitter of every
// function: 1000 against 1250 expected samples of `hot`. Measured over 300
// other seeded pairs: 276 caught (291 without jitter: the spread it adds is
// real and costs power), 0 false alarms (2 without jitter; 0.99 allows 1%).
// These 20 + 20 pairs are seeded, so the outcome is fixed.
TEST(RunsTest, FiveRunsPerSideCatchTwentyFivePercentOfHalfTheCpu) {
  const auto slow_job = Slowed(kJob, "hot", 1.25);
  const ComparisonOptions o = With(Normalization::kPerRun, 0.99);
  int caught = 0, alarms = 0;
  for (int pair = 0; pair < kPairs; ++pair) {
    std::vector<Profile> base = Runs(kJob, 1000 + 3 * pair, 5, 0.03);
    Result<ProfileComparison> same =
        CompareProfileRuns(base, Runs(kJob, 1001 + 3 * pair, 5, 0.03), o);
    Result<ProfileComparison> slow =
        CompareProfileRuns(base, Runs(slow_job, 1002 + 3 * pair, 5, 0.03), o);
    ASSERT_TRUE(same.ok() && slow.ok());
    EXPECT_EQ(slow->baseline_profiles, 5);
    EXPECT_EQ(slow->current_profiles, 5);
    alarms += !same->regressions.empty();
    const Regression* r = RegressionOf(*slow, "hot");
    if (r == nullptr) continue;
    ++caught;
    EXPECT_EQ(slow->regressions.size(), 1u);
    // What could have been seen: more than the threshold, less than the change.
    EXPECT_GT(r->detectable_percent, 10.0);
    EXPECT_LT(r->detectable_percent, 30.0);
    EXPECT_NEAR(static_cast<double>(r->current_micros), 2.5e6, 0.25e6);  // per run: 2.5 s
  }
  EXPECT_EQ(caught, kPairs);
  EXPECT_EQ(alarms, 0);
}

// At 1000 Hz (4000 samples a run) runs that differ by 10% among
// themselves (each function's cost, each run) vary far more than sampling
// explains: one run a side takes that for a change, five runs a side see
// the spread and say how much larger a change must be to be seen.
TEST(RunsTest, RunToRunSpreadIsPartOfTheTest) {
  const ComparisonOptions o = With(Normalization::kPerRun, 0.99);
  int single_alarms = 0, runs_alarms = 0;
  double quiet_detectable = 0, noisy_detectable = 0;
  for (int pair = 0; pair < kPairs; ++pair) {
    std::vector<Profile> base = Runs(kJob, 5000 + 2 * pair, 5, 0.10, 1000);
    std::vector<Profile> cur = Runs(kJob, 5001 + 2 * pair, 5, 0.10, 1000);
    Result<ProfileComparison> single = CompareProfiles(base[0], cur[0], o);
    Result<ProfileComparison> runs = CompareProfileRuns(base, cur, o);
    Result<ProfileComparison> quiet = CompareProfileRuns(
        Runs(kJob, 5000 + 2 * pair, 5, 0, 1000), Runs(kJob, 5001 + 2 * pair, 5, 0, 1000), o);
    ASSERT_TRUE(single.ok() && runs.ok() && quiet.ok());
    single_alarms += !single->regressions.empty() || !single->improvements.empty();
    runs_alarms += !runs->regressions.empty() || !runs->improvements.empty();
    for (const UnchangedFunction& u : runs->unchanged) {
      if (u.function == "hot") noisy_detectable += u.detectable_percent / kPairs;
    }
    for (const UnchangedFunction& u : quiet->unchanged) {
      if (u.function == "hot") quiet_detectable += u.detectable_percent / kPairs;
    }
  }
  EXPECT_GE(single_alarms, kPairs / 2);
  EXPECT_EQ(runs_alarms, 0);
  EXPECT_GT(noisy_detectable, quiet_detectable + 5);
}

TEST(RunsTest, CostsArePerProfileAndSamplesSummed) {
  std::vector<Profile> base = {ExactProfile({{"f", 1000}, {"g", 1000}}, 4),
                               ExactProfile({{"f", 1000}, {"g", 1000}}, 4)};
  std::vector<Profile> cur = {ExactProfile({{"f", 1250}, {"g", 1000}}, 5),
                              ExactProfile({{"f", 1250}, {"g", 1000}}, 5),
                              ExactProfile({{"f", 1250}, {"g", 1000}}, 5)};
  Result<ProfileComparison> c = CompareProfileRuns(base, cur, With(Normalization::kPerRun));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->regressions.size(), 1u);
  const Regression& r = c->regressions[0];
  EXPECT_EQ(r.baseline_micros, 10'000'000);
  EXPECT_EQ(r.current_micros, 12'500'000);
  EXPECT_EQ(r.baseline_samples, 2000);
  EXPECT_EQ(r.current_samples, 3750);
  EXPECT_NEAR(r.increase_percent, 25.0, 1e-9);
  EXPECT_EQ(c->baseline_samples, 4000);
  EXPECT_EQ(c->current_samples, 6750);
}

TEST(RunsTest, DetectableChangeShrinksWithSamples) {
  auto detectable = [](int64_t samples) {
    Result<ProfileComparison> c = CompareProfiles(ExactProfile({{"f", samples}, {"g", samples}}),
                                                  ExactProfile({{"f", samples}, {"g", samples}}));
    EXPECT_TRUE(c.ok());
    EXPECT_EQ(c->unchanged.size(), 2u);
    return c->unchanged[0].detectable_percent;
  };
  // Two tests at 1e-4: z = 3.89 for 5e-5; se = sqrt(2 / n).
  EXPECT_NEAR(detectable(1000), 100 * std::expm1(3.891 * std::sqrt(2.0 / 1000)), 0.1);
  EXPECT_NEAR(detectable(100'000), 10.0, 1e-9);  // statistically 1.7%: the threshold rules
  EXPECT_GT(detectable(100), detectable(1000));
}

TEST(RunsTest, RejectsEmptySidesAndMixedKinds) {
  std::vector<Profile> none;
  std::vector<Profile> one = {ExactProfile({{"f", 10}})};
  Result<ProfileComparison> r = CompareProfileRuns(none, one);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no baseline profile"), std::string::npos);
  std::vector<Profile> mixed = {ExactProfile({{"f", 10}}), ExactProfile({{"f", 10}})};
  mixed[1].sample_types = {{"inuse_space", "bytes"}};
  for (ProfileSample& s : mixed[1].samples) s.values = {s.values[1]};
  r = CompareProfileRuns(one, mixed);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("inuse_space/bytes"), std::string::npos);
  std::vector<Profile> no_duration = {ExactProfile({{"f", 10}}), ExactProfile({{"f", 10}})};
  no_duration[1].duration_nanos = 0;
  r = CompareProfileRuns(one, no_duration);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("current profile 2 has no duration"), std::string::npos);
  EXPECT_TRUE(CompareProfileRuns(one, no_duration, With(Normalization::kPerRun)).ok());
}

// --- Case 2: a service under changing load -------------------------------

// The service's workload at `load` (1 = one busy core at 200 requests/s),
// profiled for 60 s at 100 Hz, and the requests it served meanwhile.
struct Window {
  Profile profile;
  double requests;
};

Window ServiceWindow(double load, uint64_t seed, double slow_factor = 1) {
  auto workload = Slowed(ServiceWorkload(), "database_query", slow_factor);
  for (WorkloadFunction& f : workload) f.cpu_share *= load;
  return {SampleProfile(workload, seed), 200 * load * 60};
}

ComparisonOptions PerWork(const Window& base, const Window& cur) {
  ComparisonOptions o = With(Normalization::kPerWork);
  o.baseline_work = {base.requests};
  o.current_work = {cur.requests};
  return o;
}

TEST(PerWorkTest, DoublingTheRequestRateRaisesNothing) {
  int per_second_alarms = 0;
  for (int pair = 0; pair < kPairs; ++pair) {
    Window base = ServiceWindow(0.5, 7000 + 2 * pair);
    Window twice = ServiceWindow(1.0, 7001 + 2 * pair);
    Result<ProfileComparison> work =
        CompareProfiles(base.profile, twice.profile, PerWork(base, twice));
    ASSERT_TRUE(work.ok()) << work.status().ToString();
    EXPECT_EQ(work->normalization, Normalization::kPerWork);
    EXPECT_TRUE(work->regressions.empty()) << "pair " << pair;
    EXPECT_TRUE(work->improvements.empty()) << "pair " << pair;
    EXPECT_NEAR(work->total_change_percent, 0, 8);
    Result<ProfileComparison> rate = CompareProfiles(base.profile, twice.profile);
    ASSERT_TRUE(rate.ok());
    // Per second of wall time every large function "doubles".
    per_second_alarms +=
        RegressionOf(*rate, "database_query") != nullptr && rate->regressions.size() >= 5;
  }
  EXPECT_EQ(per_second_alarms, kPairs);
}

TEST(PerWorkTest, TwentyFivePercentSlowerIsCaughtWhileTheLoadChanges) {
  for (int pair = 0; pair < kPairs; ++pair) {
    Window base = ServiceWindow(0.8, 8000 + 2 * pair);
    Window busier = ServiceWindow(1.2, 8001 + 2 * pair, 1.25);  // +50% requests, db 25% slower
    Result<ProfileComparison> c =
        CompareProfiles(base.profile, busier.profile, PerWork(base, busier));
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c->regressions.size(), 1u) << "pair " << pair;
    EXPECT_EQ(c->regressions[0].function, "database_query");
    EXPECT_NEAR(c->regressions[0].increase_percent, 25, 10);
    EXPECT_LT(c->regressions[0].detectable_percent, 25);
    EXPECT_TRUE(c->improvements.empty()) << "pair " << pair;
  }
}

TEST(PerWorkTest, WithoutWorkCountsSharesAreCompared) {
  Window base = ServiceWindow(0.4, 42), twice = ServiceWindow(0.8, 43);
  Result<ProfileComparison> c =
      CompareProfiles(base.profile, twice.profile, With(Normalization::kPerWork));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->normalization, Normalization::kShareOfTotal);
  EXPECT_EQ(c->options.normalization, Normalization::kPerWork);
  EXPECT_TRUE(c->regressions.empty());
}

TEST(PerWorkTest, ProfilesCarryTheirOwnWorkCounts) {
  Profile p = ExactProfile({{"f", 10}});
  EXPECT_FALSE(ProfileWork(p).has_value());
  SetProfileWork(p, 1200);
  SetProfileWork(p, 12345.5);  // replaces
  EXPECT_EQ(ProfileWork(p), 12345.5);
  EXPECT_EQ(std::count(p.comments.begin(), p.comments.end(), "tai.work=12345.5"), 1);
  p.comments = {"tai.work=none"};
  EXPECT_FALSE(ProfileWork(p).has_value());
  p.comments = {"tai.work=-3"};
  EXPECT_FALSE(ProfileWork(p).has_value());

  // kPerWork without counts in the options takes the profiles' own.
  Window base = ServiceWindow(0.5, 11), twice = ServiceWindow(1.0, 12);
  SetProfileWork(base.profile, base.requests);
  SetProfileWork(twice.profile, twice.requests);
  Result<ProfileComparison> c =
      CompareProfiles(base.profile, twice.profile, With(Normalization::kPerWork));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->normalization, Normalization::kPerWork);
  EXPECT_TRUE(c->regressions.empty());
  EXPECT_NEAR(c->total_change_percent, 0, 8);
  twice.profile.comments.clear();  // one side without: shares
  c = CompareProfiles(base.profile, twice.profile, With(Normalization::kPerWork));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->normalization, Normalization::kShareOfTotal);
}

TEST(PerWorkTest, BadWorkCountsAreRejectedByName) {
  Window base = ServiceWindow(0.4, 42), cur = ServiceWindow(0.4, 43);
  ComparisonOptions o = PerWork(base, cur);
  o.current_work = {0};
  Result<ProfileComparison> r = CompareProfiles(base.profile, cur.profile, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("current_work must hold finite counts > 0"),
            std::string::npos);
  o.current_work = {};
  r = CompareProfiles(base.profile, cur.profile, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("current_work 0 for 1"), std::string::npos)
      << r.status().message();
}

TEST(ComparisonJsonTest, CarriesTheUnitAndWhatCouldHaveBeenSeen) {
  std::vector<Profile> base = {ExactProfile({{"f", 1000}, {"g", 1000}}),
                               ExactProfile({{"f", 1000}, {"g", 1000}})};
  std::vector<Profile> cur = {ExactProfile({{"f", 1500}, {"g", 1000}})};
  Result<ProfileComparison> c = CompareProfileRuns(base, cur, With(Normalization::kPerRun));
  ASSERT_TRUE(c.ok());
  nlohmann::json j = nlohmann::json::parse(internal::ProfileComparisonJson(*c));
  EXPECT_EQ(j["normalization"], "run");
  EXPECT_EQ(j["baseline_profiles"], 2);
  EXPECT_EQ(j["current_profiles"], 1);
  ASSERT_EQ(j["regressions"].size(), 1u);
  EXPECT_EQ(j["regressions"][0]["function"], "f");
  EXPECT_DOUBLE_EQ(j["regressions"][0]["detectable_percent"].get<double>(),
                   c->regressions[0].detectable_percent);
  EXPECT_GE(c->regressions[0].detectable_percent, 10.0);
}

TEST(NormalizationTest, NamesRoundTrip) {
  for (Normalization n : {Normalization::kCpuPerSecond, Normalization::kShareOfTotal,
                          Normalization::kPerRun, Normalization::kPerWork}) {
    EXPECT_EQ(*ParseNormalization(NormalizationName(n)), n);
  }
  EXPECT_EQ(NormalizationUnit(Normalization::kPerRun), "CPU per run");
  Result<Normalization> bad = ParseNormalization("fast");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'fast'"), std::string::npos);
}

}  // namespace
}  // namespace tai

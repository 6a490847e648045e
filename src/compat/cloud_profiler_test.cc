#include "tai/compat/cloud_profiler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "analysis/synthetic_profile_testing.h"
#include "compat/design_env_testing.h"
#include "profile/workload_testing.h"
#include "tai/analysis/continuous_profiling.h"
#include "tai/store/store.h"

namespace tai::gcp {
namespace {

class CloudProfilerTest : public ::testing::Test {
 protected:
  testing::ScopedDesignEnv env_;
};

TEST_F(CloudProfilerTest, OriginalDesignFlow) {
  CloudProfiler profiler("my-project", 1000);
  EXPECT_EQ(profiler.hz(), 1000);
  EXPECT_EQ(profiler.GenerateFlameGraphData().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(profiler.FinishCpuProfile().status().code(), StatusCode::kFailedPrecondition);
  // Nothing measured yet is not "within the limit".
  EXPECT_FALSE(profiler.CheckOverhead().measured);
  EXPECT_FALSE(profiler.CheckOverhead());
  // A first profile pays the process's one-time reading of symbol and line
  // tables; CheckOverhead below is about the second.
  ASSERT_TRUE(profiler.StartCpuProfile("warm-up").ok());
  int64_t warm = profile_testing::ThreadCpuNanos();
  while (profile_testing::ThreadCpuNanos() - warm < 100'000'000) tai_burn_beta(20'000);
  ASSERT_TRUE(profiler.FinishCpuProfile().ok());
  ASSERT_TRUE(profiler.StartCpuProfile("profile-1").ok());
  Status second = profiler.StartCpuProfile("profile-2");
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(second.message().find("profile-2"), std::string::npos);
  // 3:1 in calls of random order and length (no period for the timer to lock onto).
  int64_t start = profile_testing::ThreadCpuNanos();
  uint64_t rng = 88172645463325252ull;
  while (profile_testing::ThreadCpuNanos() - start < 300'000'000) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    uint64_t n = 5'000 + (rng >> 8) % 40'000;
    if (rng % 4 == 0) {
      tai_burn_gamma(n);
    } else {
      tai_burn_alpha(n);
    }
  }
  Result<Profile> p = profiler.FinishCpuProfile();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::vector<HotPath> hot = p->HotPaths(2);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].function, "tai_burn_alpha");
  EXPECT_EQ(hot[1].function, "tai_burn_gamma");
  EXPECT_GT(hot[0].cpu_micros, hot[1].cpu_micros);  // 3:1 expected; accuracy is cpu_profiler_test's

  Result<Profile> again = profiler.GetCompletedProfile("profile-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *p);
  EXPECT_EQ(profiler.GetCompletedProfile("nope").status().code(), StatusCode::kNotFound);

  Result<std::string> collapsed = profiler.GenerateFlameGraphData();
  ASSERT_TRUE(collapsed.ok());
  EXPECT_NE(collapsed->find(";tai_burn_alpha "), std::string::npos) << *collapsed;
  Result<std::string> svg = profiler.GenerateFlameGraphSvg();
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find("tai_burn_alpha"), std::string::npos);

  EXPECT_GT(profiler.MeasuredOverhead(), 0.0);
  EXPECT_TRUE(profiler.CheckOverhead().measured);
#if defined(TAI_SANITIZER_BUILD)
  profiler.set_overhead_limit(0.5);  // sanitizers slow symbolization several times
#endif
  EXPECT_TRUE(profiler.CheckOverhead());
  profiler.set_overhead_limit(0.0);
  EXPECT_FALSE(profiler.CheckOverhead());
}

// The original design's comparison flow: a baseline where alpha cost little,
// a current profile that burns it, and the regression reported by name.
TEST_F(CloudProfilerTest, CompareWithBaseline) {
  CloudProfiler profiler("my-project", 250);
  Result<ProfileComparison> none = profiler.CompareWithBaseline();
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("SetBaselineProfile"), std::string::npos);

  analysis_testing::WorkloadFunction alpha{"tai_burn_alpha", 0.02};
  Profile baseline = analysis_testing::SampleProfile({alpha, {"other", 0.5}}, 7, 250, 1.0);
  profiler.SetBaselineProfile(baseline);
  ASSERT_TRUE(profiler.baseline_profile().has_value());
  EXPECT_EQ(*profiler.baseline_profile(), baseline);
  EXPECT_EQ(profiler.CompareWithBaseline().status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(profiler.StartCpuProfile("current").ok());
  int64_t start = profile_testing::ThreadCpuNanos();
  while (profile_testing::ThreadCpuNanos() - start < 300'000'000) tai_burn_alpha(20'000);
  ASSERT_TRUE(profiler.FinishCpuProfile().ok());
  Result<ProfileComparison> c = profiler.CompareWithBaseline();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_FALSE(c->regressions.empty());
  EXPECT_EQ(c->regressions[0].function, "tai_burn_alpha");
  EXPECT_GT(c->regressions[0].increase_percent, 100.0);
  ASSERT_EQ(c->removed.size(), 1u);
  EXPECT_EQ(c->removed[0].function, "other");
  EXPECT_EQ(c->severity(), AlertSeverity::kCritical);

  profiler.ClearBaselineProfile();
  EXPECT_EQ(profiler.CompareWithBaseline().status().code(), StatusCode::kFailedPrecondition);
}

// The original design hands its CloudProfiler to the service; the service
// records with it, so the finished window is kept there under its id and
// carries the project.
TEST_F(CloudProfilerTest, ContinuousProfilingServiceRecordsWithTheDesignsProfiler) {
  auto profiler = std::make_shared<CloudProfiler>("my-project", 100);
  ContinuousProfilingService service(profiler, 60, 300, 10.0);
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(service.WaitFor([](const ProfilingStatistics& s) { return s.profiles_started >= 1; },
                              std::chrono::seconds(10)));
  ASSERT_TRUE(service.Stop().ok());
  EXPECT_EQ(service.GetStatistics().profiles_finished, 1u);
  Result<Profile> kept = profiler->GetCompletedProfile("cpu-000001");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_NE(std::find(kept->comments.begin(), kept->comments.end(), "project: my-project"),
            kept->comments.end());
}

class Burner {
 public:
  Burner()
      : thread_([this] {
          while (!stop_.load(std::memory_order_relaxed)) tai_burn_alpha(20'000);
        }) {}
  ~Burner() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The design's 4-argument constructor with no baseline pinned anywhere:
// version 1.0 makes its baseline from its first three windows and keeps it
// in the embedded store (pinned, so retention keeps it); a restart of 1.0
// compares from its first window with it; 2.0 starts from 1.0's; a pinned
// baseline wins over both, across restarts.
TEST(CloudProfilerBaselineTest, TheDesignsServiceKeepsBaselinesInTheStore) {
  testing::ScopedDesignEnv env(std::map<std::string, std::string>{{"TAI_SERVICE_VERSION", "1.0"}});
  Burner burner;
  auto run = [](int comparisons, const std::function<void(ContinuousProfilingService&)>& then) {
    auto profiler = std::make_shared<CloudProfiler>("my-project", 100);
    ASSERT_TRUE(profiler->status().ok()) << profiler->status().ToString();
    ContinuousProfilingService service(profiler, 1, 300, 10.0);
    ASSERT_TRUE(service.Start().ok());
    ASSERT_TRUE(service.WaitFor(
        [&](const ProfilingStatistics& s) { return s.comparisons >= uint64_t(comparisons); },
        std::chrono::seconds(30)));
    ASSERT_TRUE(service.Stop().ok());
    EXPECT_EQ(service.GetStatistics().baseline_errors, 0u);
    then(service);
  };
  Profile made;
  run(1, [&](ContinuousProfilingService& service) {
    ProfilingStatistics s = service.GetStatistics();
    EXPECT_EQ(s.comparisons, s.profiles_finished - 1 - 3) << "compared from the 4th window";
    ASSERT_TRUE(service.baseline().has_value());
    made = *service.baseline();
  });
  {
    auto store = Store::Open({.path = env.store_path(), .read_only = true});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto kept = (*store)->ListProfiles({.profile_id = "baseline@1.0"});
    ASSERT_TRUE(kept.ok());
    ASSERT_EQ(kept->size(), 1u);
    EXPECT_TRUE((*kept)[0].pinned);
    EXPECT_EQ((*kept)[0].service, "design-test");
    EXPECT_EQ((*kept)[0].version, "1.0");
    EXPECT_EQ((*kept)[0].labels.at("baseline"), "version");
  }
  run(1, [&](ContinuousProfilingService& service) {
    ProfilingStatistics s = service.GetStatistics();
    EXPECT_EQ(s.comparisons, s.profiles_finished - 1) << "a restart compares from window 1";
    EXPECT_EQ(service.baseline(), made);
  });
  ::setenv("TAI_SERVICE_VERSION", "2.0", 1);
  Profile pinned = analysis_testing::ExactProfile({{"tai_burn_alpha", 100}}, 1.0);
  run(0, [&](ContinuousProfilingService& service) {
    EXPECT_EQ(service.baseline(), made) << "2.0 starts from 1.0's baseline";
    ASSERT_TRUE(service.PinBaseline(pinned).ok());
  });
  for (const char* version : {"2.0", "1.0"}) {
    ::setenv("TAI_SERVICE_VERSION", version, 1);
    run(0, [&](ContinuousProfilingService& service) {
      EXPECT_EQ(service.baseline(), pinned) << version;
    });
  }
}

}  // namespace
}  // namespace tai::gcp

#include "tai/gcp/cloud_profiler.h"

#include <gtest/gtest.h>

#include "profile/test_workload.h"

namespace tai::gcp {
namespace {

TEST(CloudProfilerTest, OriginalDesignFlow) {
  CloudProfiler profiler("my-project", 1000);
  EXPECT_EQ(profiler.hz(), 1000);
  EXPECT_EQ(profiler.GenerateFlameGraphData().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(profiler.FinishCpuProfile().status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(profiler.StartCpuProfile("profile-1").ok());
  Status second = profiler.StartCpuProfile("profile-2");
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(second.message().find("profile-2"), std::string::npos);
  int64_t start = profile_testing::ThreadCpuNanos();
  while (profile_testing::ThreadCpuNanos() - start < 300'000'000) {
    tai_burn_alpha(60'000);
    tai_burn_gamma(20'000);
  }
  Result<Profile> p = profiler.FinishCpuProfile();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::vector<HotPath> hot = p->HotPaths(2);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].function, "tai_burn_alpha");
  EXPECT_EQ(hot[1].function, "tai_burn_gamma");
  EXPECT_GT(hot[0].cpu_micros, 2 * hot[1].cpu_micros);

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
#if defined(TAI_SANITIZER_BUILD)
  profiler.set_overhead_limit(0.5);  // sanitizers slow symbolization several times
#endif
  EXPECT_TRUE(profiler.CheckOverhead());
  profiler.set_overhead_limit(0.0);
  EXPECT_FALSE(profiler.CheckOverhead());
}

}  // namespace
}  // namespace tai::gcp

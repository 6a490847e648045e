#include "tai/profile/heap_profiler.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

// Allocation sites with known totals. The asm keeps each call a real call
// (not a tail jump), so the site stays on the stack.
extern "C" __attribute__((noinline)) void* tai_heap_site_malloc(size_t n) {
  void* p = malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}
extern "C" __attribute__((noinline)) char* tai_heap_site_new(size_t n) {
  char* p = new char[n];
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

namespace tai {
namespace {

// Per leaf function: {alloc_space, inuse_space}.
std::map<std::string, std::pair<double, double>> BySite(const Profile& p) {
  std::map<std::string, std::pair<double, double>> out;
  for (const ProfileSample& s : p.samples) {
    std::vector<std::string> names = p.StackNames(s);
    if (names.empty()) continue;
    out[names.back()].first += static_cast<double>(s.values[1]);
    out[names.back()].second += static_cast<double>(s.values[3]);
  }
  return out;
}

class HeapProfilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HeapProfiler::HooksLinked()) {
      GTEST_SKIP() << "allocation hooks not linked (sanitizer builds own malloc)";
    }
  }
};

TEST_F(HeapProfilerTest, EstimatesBytesPerSiteWithinTenPercent) {
  ASSERT_TRUE(HeapProfiler::Start().ok());  // 512 KiB on average
  EXPECT_EQ(HeapProfiler::Start().code(), StatusCode::kAlreadyExists);
  const double malloc_bytes = 16384.0 * 65536, new_bytes = 32768.0 * 16384;  // 1 GiB, 512 MiB
  for (int i = 0; i < 16384; ++i) free(tai_heap_site_malloc(65536));
  for (int i = 0; i < 32768; ++i) delete[] tai_heap_site_new(16384);
  Result<Profile> p = HeapProfiler::Stop();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(HeapProfiler::running());
  auto sites = BySite(*p);
  EXPECT_NEAR(sites["tai_heap_site_malloc"].first / malloc_bytes, 1.0, 0.10);
  EXPECT_NEAR(sites["tai_heap_site_new"].first / new_bytes, 1.0, 0.10);
  // All freed: nothing of theirs is in use.
  EXPECT_LT(sites["tai_heap_site_malloc"].second, 0.01 * malloc_bytes);
  EXPECT_LT(sites["tai_heap_site_new"].second, 0.01 * new_bytes);
  EXPECT_EQ(p->sample_types[3], (ValueType{"inuse_space", "bytes"}));
  EXPECT_EQ(p->period, 512 * 1024);
}

TEST_F(HeapProfilerTest, InUseCountsWhatIsNotFreed) {
  ASSERT_TRUE(HeapProfiler::Start({.sample_interval_bytes = 64 * 1024}).ok());
  std::vector<std::unique_ptr<char[]>> kept;
  for (int i = 0; i < 8192; ++i) {
    char* p = tai_heap_site_new(8192);
    if (i % 2 == 0) {
      kept.emplace_back(p);  // 32 MiB kept
    } else {
      delete[] p;
    }
  }
  Result<Profile> snap = HeapProfiler::Snapshot();
  ASSERT_TRUE(snap.ok());
  kept.clear();
  Result<Profile> p = HeapProfiler::Stop();
  ASSERT_TRUE(p.ok());
  auto before = BySite(*snap)["tai_heap_site_new"];
  EXPECT_NEAR(before.first / (8192.0 * 8192), 1.0, 0.10);                 // allocated
  EXPECT_NEAR(before.second / (4096.0 * 8192), 1.0, 0.15);                // in use at the snapshot
  EXPECT_LT(BySite(*p)["tai_heap_site_new"].second, 0.01 * 4096 * 8192);  // all freed by Stop
  EXPECT_EQ(p->HotPaths(1).size(), 1u);
}

TEST_F(HeapProfilerTest, NotRunningErrors) {
  EXPECT_EQ(HeapProfiler::Stop().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(HeapProfiler::Start({.sample_interval_bytes = 0}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tai

namespace tai {
namespace {

// Without the hooks (sanitizer builds here), Start says what to link.
TEST(HeapProfilerWithoutHooksTest, StartSaysWhatToLink) {
  if (HeapProfiler::HooksLinked()) GTEST_SKIP() << "the hooks are linked in this build";
  Status s = HeapProfiler::Start();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("tai::heap_hooks"), std::string::npos) << s.message();
  EXPECT_FALSE(HeapProfiler::running());
}

}  // namespace
}  // namespace tai

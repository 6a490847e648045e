// ContinuousProfilingService with heap profiling on. This binary links
// tai::heap_hooks (not in sanitizer builds, where these tests skip); the
// service without the hooks is tested in continuous_profiling_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "tai/analysis/continuous_profiling.h"
#include "tai/profile/cpu_profiler.h"
#include "tai/profile/heap_profiler.h"

// The allocation site the heap profiles must name. The asm keeps the call a
// real call, so the site stays on the stack.
extern "C" __attribute__((noinline)) char* tai_test_heap_keep(size_t n) {
  char* p = new char[n];
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

namespace tai {
namespace {

using std::chrono::seconds;

// Keeps every profile it is given.
class KeepingSink : public ProfileSink {
 public:
  std::string name() const override { return "keeping"; }
  Status Export(std::span<const UploadedProfile> batch, const Resource&) override {
    std::lock_guard<std::mutex> lock(mu_);
    profiles_.insert(profiles_.end(), batch.begin(), batch.end());
    return Status::Ok();
  }
  std::vector<UploadedProfile> Profiles(ProfileKind kind) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<UploadedProfile> out;
    for (const UploadedProfile& p : profiles_) {
      if (p.kind == kind) out.push_back(p);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<UploadedProfile> profiles_;
};

// The estimated bytes in use allocated under `function`.
int64_t InUseUnder(const Profile& p, const std::string& function) {
  const auto column =
      std::find(p.sample_types.begin(), p.sample_types.end(), ValueType{"inuse_space", "bytes"});
  if (column == p.sample_types.end()) return -1;
  const auto index = static_cast<size_t>(column - p.sample_types.begin());
  int64_t bytes = 0;
  for (const ProfileSample& s : p.samples) {
    const std::vector<std::string> names = p.StackNames(s);
    if (std::find(names.begin(), names.end(), function) != names.end()) bytes += s.values[index];
  }
  return bytes;
}

ContinuousProfilingOptions HeapOptions() {
  ContinuousProfilingOptions o;
  o.collect_interval = seconds(1);
  o.upload_interval = seconds(1);
  o.heap = true;
  o.heap_options.sample_interval_bytes = 64 * 1024;
  o.resource.service_name = "checkout";
  return o;
}

class ContinuousHeapProfilingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HeapProfiler::HooksLinked()) {
      GTEST_SKIP() << "allocation hooks not linked (sanitizer builds own malloc)";
    }
  }
};

// 8 MiB kept in 64 KiB blocks while the service runs: every window's heap
// snapshot is uploaded next to its CPU profile and names the site with
// what it keeps; Stop takes a last one and releases the heap profiler.
TEST_F(ContinuousHeapProfilingTest, SnapshotsNameTheAllocatingFunction) {
  ContinuousProfilingService service(std::make_shared<ProfileRecorder>(100), HeapOptions());
  auto sink = std::make_shared<KeepingSink>();
  service.AddSink(sink);
  ASSERT_TRUE(service.Start().ok());
  EXPECT_TRUE(HeapProfiler::running());
  std::vector<std::unique_ptr<char[]>> kept;
  for (int i = 0; i < 128; ++i) kept.emplace_back(tai_test_heap_keep(64 * 1024));

  ASSERT_TRUE(service.WaitFor(
      [](const ProfilingStatistics& s) {
        return s.heap_profiles_finished >= 1 && s.upload_batches >= 1;
      },
      seconds(20)));
  const std::vector<UploadedProfile> uploaded = sink->Profiles(ProfileKind::kHeap);
  ASSERT_FALSE(uploaded.empty());
  EXPECT_EQ(uploaded.front().id, "heap-000001");
  EXPECT_EQ(uploaded.front().profile.default_sample_type, "inuse_space");
  // 128 blocks of 64 KiB, each sampled with probability 1 - 1/e: at least
  // a few are in the profile, scaled back to around 8 MiB.
  EXPECT_GT(InUseUnder(uploaded.front().profile, "tai_test_heap_keep"), 0);
  EXPECT_FALSE(sink->Profiles(ProfileKind::kCpu).empty());

  ASSERT_TRUE(service.Stop().ok());
  EXPECT_FALSE(HeapProfiler::running());
  const ProfilingStatistics st = service.GetStatistics();
  const std::vector<UploadedProfile> all = sink->Profiles(ProfileKind::kHeap);
  EXPECT_EQ(all.size(), st.heap_profiles_finished);
  EXPECT_EQ(all.size(), st.profiles_finished);  // one per window, Stop's cut-short one too
  EXPECT_EQ(st.profiles_uploaded, st.profiles_finished + st.heap_profiles_finished);
  EXPECT_EQ(st.profile_errors, 0u);
  EXPECT_GT(InUseUnder(all.back().profile, "tai_test_heap_keep"), 0);
  for (size_t i = 0; i < all.size(); ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "heap-%06zu", i + 1);
    EXPECT_EQ(all[i].id, id);
    // Each dated to the period since the previous one.
    EXPECT_GT(all[i].profile.duration_nanos, 0);
    if (i > 0) {
      EXPECT_EQ(all[i].profile.time_nanos,
                all[i - 1].profile.time_nanos + all[i - 1].profile.duration_nanos);
    }
  }
  size_t heap_events = 0;
  for (const ProfilingEvent& e : service.Events()) {
    const auto* f = std::get_if<ProfileFinished>(&e);
    if (f == nullptr || f->kind != ProfileKind::kHeap) continue;
    ++heap_events;
    EXPECT_EQ(f->profile_id.rfind("heap-", 0), 0u) << f->profile_id;
    EXPECT_GT(f->inuse_bytes, 0);
    EXPECT_NE(DescribeEvent(e).find("MiB in use"), std::string::npos) << DescribeEvent(e);
  }
  EXPECT_EQ(heap_events, all.size());
}

// Another CPU profile keeps the windows' CPU profiles from running; the heap
// snapshots are taken at the window ends all the same.
TEST_F(ContinuousHeapProfilingTest, HeapSnapshotsGoOnWhileTheCpuProfileCannotRun) {
  CpuProfiler other;
  ASSERT_TRUE(other.Start().ok());
  ContinuousProfilingService service(std::make_shared<ProfileRecorder>(100), HeapOptions());
  auto sink = std::make_shared<KeepingSink>();
  service.AddSink(sink);
  ASSERT_TRUE(service.Start().ok());
  EXPECT_TRUE(service.WaitFor(
      [](const ProfilingStatistics& s) { return s.heap_profiles_finished >= 1; }, seconds(20)));
  ASSERT_TRUE(service.Stop().ok());
  ASSERT_TRUE(other.Stop().ok());
  const ProfilingStatistics st = service.GetStatistics();
  EXPECT_EQ(st.profiles_started, 0u);
  EXPECT_GE(st.profile_errors, 1u);
  EXPECT_GE(st.heap_profiles_finished, 2u);  // a window's and Stop's
  EXPECT_EQ(sink->Profiles(ProfileKind::kHeap).size(), st.heap_profiles_finished);
  EXPECT_TRUE(sink->Profiles(ProfileKind::kCpu).empty());
  EXPECT_FALSE(HeapProfiler::running());
}

// The process has one heap profile: while another runs, Start fails and
// leaves it alone.
TEST_F(ContinuousHeapProfilingTest, StartFailsWhileAnotherHeapProfileRuns) {
  ASSERT_TRUE(HeapProfiler::Start().ok());
  ContinuousProfilingService service(std::make_shared<ProfileRecorder>(100), HeapOptions());
  Status s = service.Start();
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("options.heap"), std::string::npos) << s.message();
  EXPECT_FALSE(service.running());
  EXPECT_TRUE(HeapProfiler::running());
  EXPECT_TRUE(HeapProfiler::Stop().ok());
  // Once it is free, the same service starts.
  ASSERT_TRUE(service.Start().ok());
  EXPECT_TRUE(HeapProfiler::running());
  ASSERT_TRUE(service.Stop().ok());
  EXPECT_FALSE(HeapProfiler::running());
}

}  // namespace
}  // namespace tai

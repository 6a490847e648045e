#include "tai/profile/cpu_profiler.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "profile/handler_state.h"
#include "profile/workload_testing.h"
#include "tai/analysis/flame_graph.h"

#if !defined(TAI_SANITIZER_BUILD)
// The allocation hook: every malloc of this test binary goes through here and
// is counted when it happens inside the profiler's signal handler. (Not in
// sanitizer builds, whose runtimes own malloc.)
std::atomic<int> g_mallocs_in_handler{0};
extern "C" void* __libc_malloc(size_t);
extern "C" void* __libc_calloc(size_t, size_t);
extern "C" void* __libc_realloc(void*, size_t);
extern "C" void* malloc(size_t n) {
  if (tai::internal::InProfilerSignalHandler()) g_mallocs_in_handler.fetch_add(1);
  return __libc_malloc(n);
}
extern "C" void* calloc(size_t n, size_t m) {
  if (tai::internal::InProfilerSignalHandler()) g_mallocs_in_handler.fetch_add(1);
  return __libc_calloc(n, m);
}
extern "C" void* realloc(void* p, size_t n) {
  if (tai::internal::InProfilerSignalHandler()) g_mallocs_in_handler.fetch_add(1);
  return __libc_realloc(p, n);
}
#define TAI_HAVE_MALLOC_HOOK 1
#endif

namespace tai {
namespace {

using profile_testing::ThreadCpuNanos;

pid_t Tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// Sum of the cpu value (index 1) of the samples taken on `tid` whose leaf
// function is `leaf` ("" = any leaf).
int64_t CpuOf(const Profile& p, pid_t tid, const std::string& leaf = "") {
  int64_t total = 0;
  for (const ProfileSample& s : p.samples) {
    bool on_thread = false;
    for (const ProfileLabel& l : s.labels) {
      if (l.key == "thread_id" && l.num == tid) on_thread = true;
    }
    if (!on_thread) continue;
    if (!leaf.empty()) {
      std::vector<std::string> names = p.StackNames(s);
      if (names.empty() || names.back() != leaf) continue;
    }
    total += s.values[1];
  }
  return total;
}

bool HasLabel(const ProfileSample& s, const std::string& key, const std::string& value) {
  for (const ProfileLabel& l : s.labels) {
    if (l.key == key && l.str == value) return true;
  }
  return false;
}

// Burns `units` chunks of ~50us in f and adds the thread CPU it took to *cpu.
void Burn(uint64_t (*f)(uint64_t), int units, int64_t* cpu) {
  int64_t t0 = ThreadCpuNanos();
  for (int i = 0; i < units; ++i) f(25'000);
  *cpu += ThreadCpuNanos() - t0;
}

TEST(CpuProfilerTest, AttributesKnownSharesWithinFivePoints) {
#if defined(__SANITIZE_THREAD__)
  // (The other tests, signal handler included, run under TSan.)
  GTEST_SKIP() << "TSan defers asynchronous signals to its own safe points (interceptor "
                  "calls), so a sample's pc is where TSan delivered it, not where the CPU went";
#endif
  CpuProfiler profiler;
  ASSERT_TRUE(profiler.Start({.hz = 1000}).ok());
  int64_t cpu[3] = {0, 0, 0};
  uint64_t (*const burn[3])(uint64_t) = {tai_burn_alpha, tai_burn_beta, tai_burn_gamma};
  // 50/30/20 in calls of random order and length, so that the work has no
  // period the (tick-driven) timer could lock onto; until 6 s of this
  // thread's CPU. Timers fire at scheduler ticks (250 Hz here), so that is
  // ~1500 samples: the standard error of a 50% share is 1.3 points and the
  // 5-point bound sits at ~4 sigma (2 s gave ~2.2 sigma, and failed once in
  // CI under ASan).
  uint64_t rng = 0x9e3779b97f4a7c15ull;
  int64_t start = ThreadCpuNanos();
  while (ThreadCpuNanos() - start < 6'000'000'000) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    int pick = static_cast<int>(rng % 10);
    int f = pick < 5 ? 0 : pick < 8 ? 1 : 2;
    uint64_t n = 5'000 + (rng >> 20) % 40'000;
    int64_t t0 = ThreadCpuNanos();
    burn[f](n);
    cpu[f] += ThreadCpuNanos() - t0;
  }
  Result<Profile> p = profiler.Stop();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const char* names[] = {"tai_burn_alpha", "tai_burn_beta", "tai_burn_gamma"};
  int64_t sampled[3], sampled_sum = 0, cpu_sum = cpu[0] + cpu[1] + cpu[2];
  for (int i = 0; i < 3; ++i) sampled_sum += sampled[i] = CpuOf(*p, Tid(), names[i]);
  ASSERT_GT(sampled_sum, 0);
  for (int i = 0; i < 3; ++i) {
    double want = static_cast<double>(cpu[i]) / static_cast<double>(cpu_sum);
    double got = static_cast<double>(sampled[i]) / static_cast<double>(sampled_sum);
    EXPECT_NEAR(got, want, 0.05) << names[i];
  }
  // Nearly all of this thread's CPU is accounted for (timer overruns
  // included), and HotPaths agrees on the order.
  double accounted = static_cast<double>(CpuOf(*p, Tid())) / static_cast<double>(cpu_sum);
  EXPECT_GT(accounted, 0.85);
  EXPECT_LT(accounted, 1.15);
  std::vector<HotPath> hot = p->HotPaths(3);
  ASSERT_EQ(hot.size(), 3u);
  EXPECT_EQ(hot[0].function, "tai_burn_alpha");
  EXPECT_EQ(hot[1].function, "tai_burn_beta");
  EXPECT_EQ(hot[2].function, "tai_burn_gamma");
  EXPECT_EQ(p->sample_types[1], (ValueType{"cpu", "nanoseconds"}));
  EXPECT_EQ(p->period, 1'000'000);
  // The burn functions are leaves GCC builds without a frame: their caller
  // must still be on the stack, right under them.
  int64_t with_caller = 0, leaf_total = 0;
  for (const ProfileSample& s : p->samples) {
    std::vector<std::string> stack = p->StackNames(s);
    if (stack.size() < 2 || stack.back().rfind("tai_burn_", 0) != 0) continue;
    leaf_total += s.values[1];
    const std::string& parent = stack[stack.size() - 2];
    if (parent.find("AttributesKnownShares") != std::string::npos) {
      with_caller += s.values[1];
    }
  }
  EXPECT_GT(static_cast<double>(with_caller), 0.97 * static_cast<double>(leaf_total))
      << CollapsedStacks(*p);
#ifdef TAI_HAVE_MALLOC_HOOK
  EXPECT_EQ(g_mallocs_in_handler.load(), 0);
#endif
}

TEST(CpuProfilerTest, ThreadsAreSampledByTheirOwnCpuTime) {
  CpuProfiler profiler;
  ASSERT_TRUE(profiler.Start({.hz = 1000}).ok());
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::atomic<pid_t> idle_tid{0};
  std::thread idle([&] {
    idle_tid = Tid();
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  });
  // Two threads, one burning twice the CPU of the other.
  std::atomic<pid_t> tids[2] = {0, 0};
  int64_t cpu[2] = {0, 0};
  auto worker = [&](int i, int64_t target) {
    tids[i] = Tid();
    while (cpu[i] < target) Burn(i == 0 ? tai_burn_alpha : tai_burn_beta, 4, &cpu[i]);
  };
  std::thread heavy(worker, 0, 1'200'000'000);
  std::thread light(worker, 1, 600'000'000);
  heavy.join();
  light.join();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  idle.join();
  Result<Profile> p = profiler.Stop();
  ASSERT_TRUE(p.ok());
  int64_t s0 = CpuOf(*p, tids[0]), s1 = CpuOf(*p, tids[1]);
  ASSERT_GT(s0 + s1, 0);
  double want = static_cast<double>(cpu[0]) / static_cast<double>(cpu[0] + cpu[1]);
  double got = static_cast<double>(s0) / static_cast<double>(s0 + s1);
  EXPECT_NEAR(got, want, 0.05);
  EXPECT_NEAR(want, 2.0 / 3.0, 0.05);
  // The idle thread used next to no CPU, so it has (next to) no samples.
  EXPECT_LE(CpuOf(*p, idle_tid), 3 * p->period);
}

TEST(CpuProfilerTest, ThreadsStartedAfterStartAreProfiled) {
  CpuProfiler profiler;
  ASSERT_TRUE(profiler.Start({.hz = 1000, .scan_interval = std::chrono::milliseconds(20)}).ok());
  std::atomic<pid_t> tid{0};
  int64_t cpu = 0;
  std::thread late([&] {
    pthread_setname_np(pthread_self(), "tai-late");
    tid = Tid();
    while (cpu < 400'000'000) Burn(tai_burn_gamma, 4, &cpu);
  });
  late.join();
  Result<Profile> p = profiler.Stop();
  ASSERT_TRUE(p.ok());
  // Everything but the first scan interval or so is seen.
  EXPECT_GT(CpuOf(*p, tid, "tai_burn_gamma"), cpu / 2);
  bool named = false;
  for (const ProfileSample& s : p->samples) named |= HasLabel(s, "thread", "tai-late");
  EXPECT_TRUE(named);
  EXPECT_GE(profiler.stats().threads, 2u);
}

TEST(CpuProfilerTest, OneProfilePerProcess) {
  CpuProfiler a, b;
  EXPECT_EQ(a.Stop().status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(a.Start().ok());
  EXPECT_TRUE(a.running());
  EXPECT_TRUE(CpuProfiler::ProcessProfiling());
  EXPECT_EQ(a.Start().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(b.Start().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(b.running());
  ASSERT_TRUE(a.Stop().ok());
  EXPECT_FALSE(CpuProfiler::ProcessProfiling());
  ASSERT_TRUE(b.Start().ok());
  ASSERT_TRUE(b.Stop().ok());
  EXPECT_EQ(a.Start({.hz = 0}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a.Start({.max_frames = 1000}).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(CpuProfiler::ProcessProfiling());
}

// Two shared starts get their own windows of one session's samples: the
// one that joined later sees what came after its Start, the first sees
// everything, and both the same samples while both ran. Other options, or
// an unshared start, are refused while it runs; the last Stop ends it.
TEST(CpuProfilerTest, SharedStartsGetTheirOwnWindowsOfOneSession) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan defers asynchronous signals to its own safe points, so a sample's "
                  "leaf is where TSan delivered it";
#endif
  CpuProfiler first, second, other_rate, exclusive;
  ASSERT_TRUE(first.Start({.hz = 250, .shared = true}).ok());
  int64_t alpha = 0, beta = 0;
  while (alpha < 150'000'000) Burn(tai_burn_alpha, 4, &alpha);
  ASSERT_TRUE(second.Start({.hz = 250, .shared = true}).ok());
  Status refused = other_rate.Start({.hz = 100, .shared = true});
  EXPECT_EQ(refused.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(refused.message().find("250 Hz"), std::string::npos) << refused.message();
  EXPECT_EQ(exclusive.Start({.hz = 250}).code(), StatusCode::kAlreadyExists);
  while (beta < 150'000'000) Burn(tai_burn_beta, 4, &beta);
  Result<Profile> b = second.Stop();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_FALSE(second.running());
  EXPECT_TRUE(first.running());
  EXPECT_TRUE(CpuProfiler::ProcessProfiling());
  while (alpha < 300'000'000) Burn(tai_burn_alpha, 4, &alpha);
  Result<Profile> a = first.Stop();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(CpuProfiler::ProcessProfiling());

  const pid_t tid = Tid();
  // The second window: beta's CPU, and of alpha at most a sample or two
  // taken as it joined.
  EXPECT_GT(CpuOf(*b, tid, "tai_burn_beta"), 100'000'000);
  EXPECT_LT(CpuOf(*b, tid, "tai_burn_alpha"), 10'000'000);
  // The first: alpha before and after, and the very samples of beta.
  EXPECT_GT(CpuOf(*a, tid, "tai_burn_alpha"), 200'000'000);
  EXPECT_EQ(CpuOf(*a, tid, "tai_burn_beta"), CpuOf(*b, tid, "tai_burn_beta"));
  EXPECT_GT(b->time_nanos, a->time_nanos);
  EXPECT_LT(b->duration_nanos, a->duration_nanos);
  EXPECT_GT(second.stats().samples, 0u);
  EXPECT_GT(first.stats().samples, second.stats().samples);

  // Nothing runs now: an unshared start works again.
  ASSERT_TRUE(exclusive.Start().ok());
  EXPECT_EQ(first.Start({.shared = true}).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(exclusive.Stop().ok());
}

TEST(CpuProfilerTest, DestroyingARunningProfilerStopsIt) {
  {
    CpuProfiler a;
    ASSERT_TRUE(a.Start().ok());
  }
  EXPECT_FALSE(CpuProfiler::ProcessProfiling());
  CpuProfiler b;
  EXPECT_TRUE(b.Start().ok());
}

TEST(CpuProfilerTest, ForkedChildDoesNotInheritTheProfile) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support running threads in a child of a multi-threaded fork";
#endif
  CpuProfiler profiler;
  ASSERT_TRUE(profiler.Start({.hz = 1000}).ok());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 0;
    if (CpuProfiler::ProcessProfiling()) code |= 1;
    if (profiler.running()) code |= 2;
    if (profiler.Stop().status().code() != StatusCode::kFailedPrecondition) code |= 4;
    // The child can profile itself.
    CpuProfiler own;
    if (!own.Start({.hz = 1000}).ok()) code |= 8;
    int64_t cpu = 0;
    while (cpu < 100'000'000) Burn(tai_burn_beta, 4, &cpu);
    Result<Profile> p = own.Stop();
    if (!p.ok() || p->samples.empty()) code |= 16;
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child died with signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  int64_t cpu = 0;
  while (cpu < 50'000'000) Burn(tai_burn_alpha, 4, &cpu);
  Result<Profile> p = profiler.Stop();
  ASSERT_TRUE(p.ok());
  EXPECT_GT(CpuOf(*p, Tid()), 0);
}

TEST(CpuProfilerTest, SamplesCarryScopedLabels) {
  CpuProfiler profiler;
  ASSERT_TRUE(profiler.Start({.hz = 1000}).ok());
  int64_t cpu = 0;
  {
    ScopedProfileLabels route({{"route", "/api/users"}});
    while (cpu < 150'000'000) Burn(tai_burn_alpha, 4, &cpu);
    ScopedProfileLabels nested({{"tenant", "acme"}});
    cpu = 0;
    while (cpu < 150'000'000) Burn(tai_burn_beta, 4, &cpu);
  }
  cpu = 0;
  while (cpu < 150'000'000) Burn(tai_burn_gamma, 4, &cpu);
  Result<Profile> p = profiler.Stop();
  ASSERT_TRUE(p.ok());
  int64_t alpha_labelled = 0, beta_both = 0, gamma_labelled = 0, gamma_total = 0;
  for (const ProfileSample& s : p->samples) {
    std::string leaf = p->StackNames(s).back();
    bool route = HasLabel(s, "route", "/api/users");
    if (leaf == "tai_burn_alpha" && route) alpha_labelled += s.values[1];
    if (leaf == "tai_burn_beta" && route && HasLabel(s, "tenant", "acme")) beta_both += s.values[1];
    if (leaf == "tai_burn_gamma") {
      gamma_total += s.values[1];
      if (route) gamma_labelled += s.values[1];
    }
  }
  EXPECT_GT(alpha_labelled, 0);
  EXPECT_GT(beta_both, 0);
  EXPECT_GT(gamma_total, 0);
  EXPECT_EQ(gamma_labelled, 0);
}

TEST(CpuProfilerTest, WallClockModeSamplesBlockedThreads) {
  CpuProfiler profiler;
  ASSERT_TRUE(profiler.Start({.hz = 200, .clock = ProfileClock::kWall}).ok());
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::atomic<pid_t> tid{0};
  std::thread sleeper([&] {
    tid = Tid();
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  });
  // Wait (bounded) until the profiler has taken enough samples.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (profiler.stats().samples < 300 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  sleeper.join();
  Result<Profile> p = profiler.Stop();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->sample_types[1], (ValueType{"wall", "nanoseconds"}));
  // The blocked thread gets about as many samples as the main thread, which
  // also spent its time asleep.
  int64_t blocked = CpuOf(*p, tid), main_thread = CpuOf(*p, Tid());
  EXPECT_GT(blocked, 0);
  EXPECT_GT(main_thread, 0);
  EXPECT_GT(static_cast<double>(blocked), 0.5 * static_cast<double>(main_thread));
}

TEST(CpuProfilerTest, FullBufferDropsAndCounts) {
  CpuProfiler profiler;
  // 16 slots drained once a minute: they fill at once.
  ASSERT_TRUE(profiler
                  .Start({.hz = 1000,
                          .buffer_samples = 16,
                          .scan_interval = std::chrono::milliseconds(60'000)})
                  .ok());
  int64_t cpu = 0;
  while (profiler.stats().dropped == 0 && cpu < 10'000'000'000) Burn(tai_burn_alpha, 4, &cpu);
  Result<Profile> p = profiler.Stop();
  ASSERT_TRUE(p.ok());
  ProfilerStats st = profiler.stats();
  EXPECT_GT(st.dropped, 0u);
  EXPECT_EQ(st.samples, 16u);
  ASSERT_FALSE(p->comments.empty());
  EXPECT_NE(p->comments[0].find("dropped"), std::string::npos);
}

TEST(CpuProfilerTest, MeasuresItsOwnCost) {
  CpuProfiler profiler;
  // The first profile of a process also pays the one-time reading of the ELF
  // files and line tables of the loaded objects (tens of ms when debug
  // files are installed); a second one costs what continuous profiling pays
  // each time.
  ASSERT_TRUE(profiler.Start({.hz = 100}).ok());
  int64_t warm = 0;
  while (warm < 100'000'000) Burn(tai_burn_alpha, 4, &warm);
  ASSERT_TRUE(profiler.Stop().ok());
  EXPECT_GT(profiler.stats().symbolize_nanos, 0);
  ASSERT_TRUE(profiler.Start({.hz = 100}).ok());
  int64_t cpu = 0;
  while (cpu < 300'000'000) Burn(tai_burn_alpha, 4, &cpu);
  ASSERT_TRUE(profiler.Stop().ok());
  ProfilerStats st = profiler.stats();
  EXPECT_GT(st.samples, 0u);
  EXPECT_GT(st.handler_nanos, 0);
  EXPECT_GT(st.background_cpu_nanos, 0);
  EXPECT_GT(st.wall_nanos, 0);
  EXPECT_GT(st.Overhead(), 0.0);
#if defined(TAI_SANITIZER_BUILD)
  EXPECT_LT(st.Overhead(), 0.5);  // sanitizers slow symbolization several times
#else
  EXPECT_LT(st.Overhead(), 0.05);
#endif
}

// Many short-lived threads allocating heavily while sampled at 1000 Hz: the
// handler must neither crash nor allocate (ASan/UBSan builds check the rest).
TEST(CpuProfilerTest, SurvivesThreadChurnAndHeavyAllocation) {
  CpuProfiler profiler;
  ASSERT_TRUE(profiler.Start({.hz = 1000, .scan_interval = std::chrono::milliseconds(5)}).ok());
  std::atomic<uint64_t> checksum{0};
  // TAI_PROFILE_STRESS_SECONDS=30 runs the 30 s version.
  const char* env = std::getenv("TAI_PROFILE_STRESS_SECONDS");
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(env ? std::atoi(env) * 1000 : 1500);
  int rounds = 0;
  for (; rounds < 10 || std::chrono::steady_clock::now() < until; ++rounds) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&checksum, t] {
        uint64_t sum = 0;
        for (int i = 0; i < 2000; ++i) {
          std::vector<int> v(static_cast<size_t>(16 + (i * 7 + t) % 500), i);
          auto* s = new std::string(static_cast<size_t>(i % 100), 'x');
          sum += v.back() + s->size() + tai_burn_beta(500);
          delete s;
        }
        checksum += sum;
      });
    }
    for (std::thread& th : threads) th.join();
  }
  Result<Profile> p = profiler.Stop();
  ASSERT_TRUE(p.ok());
  EXPECT_GT(profiler.stats().samples, 0u);
  EXPECT_GE(profiler.stats().threads, 2u);
  EXPECT_GE(rounds, 10);
  EXPECT_NE(checksum.load(), 0u);
#ifdef TAI_HAVE_MALLOC_HOOK
  EXPECT_EQ(g_mallocs_in_handler.load(), 0);
#endif
}

}  // namespace
}  // namespace tai

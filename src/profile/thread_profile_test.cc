#include "tai/profile/thread_profile.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "profile/workload_testing.h"
#include "tai/profile/cpu_profiler.h"

extern "C" __attribute__((noinline)) void tai_thread_profile_parked(std::mutex* mu,
                                                                    std::condition_variable* cv,
                                                                    const bool* done) {
  std::unique_lock<std::mutex> lock(*mu);
  cv->wait(lock, [&] { return *done; });
  asm volatile("" ::: "memory");
}

namespace tai {
namespace {

pid_t Tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

const ThreadInfo* Find(const ThreadProfile& p, pid_t tid) {
  for (const ThreadInfo& t : p.threads) {
    if (t.tid == tid) return &t;
  }
  return nullptr;
}

TEST(ThreadProfileTest, ListsThreadsWithNamesStatesCpuAndStacks) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::atomic<pid_t> parked_tid{0}, busy_tid{0};
  std::atomic<bool> stop{false};
  std::thread parked([&] {
    pthread_setname_np(pthread_self(), "tai-parked");
    parked_tid = Tid();
    tai_thread_profile_parked(&mu, &cv, &done);
  });
  std::thread busy([&] {
    pthread_setname_np(pthread_self(), "tai-busy");
    busy_tid = Tid();
    while (!stop) tai_burn_alpha(100'000);
  });
  // Wait (bounded) until both threads have started and the busy one has
  // used some CPU and the parked one is asleep.
  Result<ThreadProfile> p = UnavailableError("not taken");
  for (int i = 0; i < 500; ++i) {
    p = CaptureThreadProfile({.stacks = true});
    ASSERT_TRUE(p.ok());
    const ThreadInfo* a = parked_tid ? Find(*p, parked_tid) : nullptr;
    const ThreadInfo* b = busy_tid ? Find(*p, busy_tid) : nullptr;
    if (a && b && a->state == 'S' && b->cpu_nanos > 20'000'000 && a->has_stack &&
        !a->stack.empty() && b->has_stack && !b->stack.empty() && b->stack[0] == "tai_burn_alpha" &&
        a->name == "tai-parked" && b->name == "tai-busy") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  parked.join();
  busy.join();

  EXPECT_GE(p->count(), 3u);
  const ThreadInfo* a = Find(*p, parked_tid);
  const ThreadInfo* b = Find(*p, busy_tid);
  const ThreadInfo* self = Find(*p, Tid());
  ASSERT_TRUE(a && b && self);
  EXPECT_EQ(a->name, "tai-parked");
  EXPECT_EQ(a->state_name, "sleeping");
  EXPECT_EQ(b->name, "tai-busy");
  EXPECT_GT(b->cpu_nanos, 20'000'000);
  EXPECT_GT(b->cpu_nanos, a->cpu_nanos);
  // The parked thread answers too; its stack starts in libc's futex wait,
  // and Debian's libc has no frame pointers, so the walk may end there.
  ASSERT_TRUE(a->has_stack);
  EXPECT_FALSE(a->stack.empty());
  // The busy thread is in our code: its stack shows where it is.
  ASSERT_TRUE(b->has_stack);
  ASSERT_FALSE(b->stack.empty());
  EXPECT_EQ(b->stack[0], "tai_burn_alpha") << p->ToString();
  ASSERT_TRUE(self->has_stack);
  EXPECT_NE(p->ToString().find("tai-parked"), std::string::npos);
}

TEST(ThreadProfileTest, WorksWhileACpuProfileRuns) {
  CpuProfiler profiler;
  ASSERT_TRUE(profiler.Start({.hz = 1000}).ok());
  Result<ThreadProfile> p = CaptureThreadProfile({.stacks = true});
  ASSERT_TRUE(p.ok());
  const ThreadInfo* self = Find(*p, Tid());
  ASSERT_NE(self, nullptr);
  EXPECT_TRUE(self->has_stack);
  int64_t cpu = 0, t0 = profile_testing::ThreadCpuNanos();
  while (cpu < 100'000'000) {
    tai_burn_beta(50'000);
    cpu = profile_testing::ThreadCpuNanos() - t0;
  }
  Result<Profile> prof = profiler.Stop();
  ASSERT_TRUE(prof.ok());
  EXPECT_FALSE(prof->samples.empty());
}

TEST(ThreadProfileTest, ConvertsToAThreadsPprof) {
  ThreadProfile snapshot;
  snapshot.time_nanos = 42;
  snapshot.threads = {{.tid = 1,
                       .name = "main",
                       .state_name = "sleeping",
                       .has_stack = true,
                       .stack = {"poll", "EventLoop::Run", "main"}},
                      {.tid = 2,
                       .name = "worker",
                       .state_name = "running",
                       .has_stack = true,
                       .stack = {"Work", "EventLoop::Run", "main"}},
                      {.tid = 3, .name = "blocked", .state_name = "sleeping"}};
  Profile p = ThreadProfileToPprof(snapshot);
  EXPECT_EQ(p.sample_types, (std::vector<ValueType>{{"threads", "count"}}));
  EXPECT_EQ(p.time_nanos, 42);
  ASSERT_EQ(p.samples.size(), 3u);
  EXPECT_EQ(p.TotalValue(), 3);
  EXPECT_EQ(p.StackNames(p.samples[1]),
            (std::vector<std::string>{"main", "EventLoop::Run", "Work"}));
  EXPECT_EQ(p.StackNames(p.samples[2]), (std::vector<std::string>{"[no stack]"}));
  EXPECT_EQ(p.functions.size(), 5u);  // shared frames once
  EXPECT_EQ(p.samples[0].labels[0].str, "main");
  EXPECT_EQ(p.samples[1].labels[1].str, "running");
}

}  // namespace
}  // namespace tai

#include "tai/metrics/process_metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "metrics/metrics_testing.h"

namespace tai {
namespace {

using testing::FindMetric;
using testing::FindPoint;

double Value(const MetricBatch& batch, const std::string& type, const LabelSet& labels = {}) {
  const MetricPoint* p = FindPoint(batch, type, labels);
  EXPECT_NE(p, nullptr) << type;
  return p == nullptr ? -1 : p->value.AsDouble();
}

// The figures match what the process can see of itself by other means.
TEST(ProcessMetricsTest, ReportsWhatTheProcessIsDoing) {
  MetricRegistry registry;
  auto process = ProcessMetrics::Register(registry);
  ASSERT_TRUE(process.ok()) << process.status().ToString();

  auto cpu_now = [] {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  const int fds_before =
      static_cast<int>(Value(*registry.Collect(), "process.open_file_descriptors"));
  const double cpu_before = cpu_now();
  const auto wall_before = std::chrono::steady_clock::now();
  std::vector<int> opened;
  for (int i = 0; i < 5; ++i) opened.push_back(::open("/dev/null", O_RDONLY));
  // A thread that stays alive while we look, and some CPU to count.
  std::atomic<bool> stop{false};
  std::thread spinner([&] {
    while (!stop) {
    }
  });
  volatile double x = 0;
  for (int i = 0; i < 20'000'000; ++i) x = x + i;
  auto batch = registry.Collect();
  const double cpu_used = cpu_now() - cpu_before;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  stop = true;
  spinner.join();
  for (int fd : opened) ::close(fd);

  EXPECT_EQ(Value(*batch, "process.open_file_descriptors"), fds_before + 5);
  EXPECT_GE(Value(*batch, "process.threads"), 2);
  rusage usage{};
  ASSERT_EQ(::getrusage(RUSAGE_SELF, &usage), 0);
  const double user = Value(*batch, "process.cpu.time", LabelSet({{"cpu_mode", "user"}}));
  EXPECT_GT(user, 0);
  EXPECT_LE(user, static_cast<double>(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec / 1e6);
  // Resident memory: at least what /proc/self/statm says this much later
  // minus slack, and far less than the virtual size.
  const double rss = Value(*batch, "process.memory.usage");
  EXPECT_GT(rss, 1 << 20);
  EXPECT_LT(rss, Value(*batch, "process.memory.virtual"));
  const double uptime = Value(*batch, "process.uptime");
  EXPECT_GE(uptime, 0);
  EXPECT_LT(uptime, 24 * 3600);  // a test process started moments ago
  EXPECT_NE(FindPoint(*batch, "process.paging.faults", LabelSet({{"system_paging_type", "minor"}})),
            nullptr);
  EXPECT_NE(FindPoint(*batch, "process.context_switches",
                      LabelSet({{"process_context_switch_type", "voluntary"}})),
            nullptr);
  // CPU per wall second between the two collections, as measured around them.
  EXPECT_NEAR(Value(*batch, "process.cpu.utilization"), cpu_used / wall,
              0.1 * cpu_used / wall + 0.02);
}

// The library's cost: the CPU of threads named tai-*, not the others', and
// a counter that keeps what a finished thread used.
TEST(ProcessMetricsTest, CountsTheCpuOfTheLibrarysThreadsOnly) {
  MetricRegistry registry;
  auto process = ProcessMetrics::Register(registry);
  ASSERT_TRUE(process.ok());
  auto burn = [](std::chrono::milliseconds cpu) {
    timespec t0{}, t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    volatile uint64_t x = 0;
    do {
      for (int i = 0; i < 100'000; ++i) x = x + i;
      ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1'000'000'000LL + (t.tv_nsec - t0.tv_nsec) <
             std::chrono::nanoseconds(cpu).count());
  };
  const double before = Value(*registry.Collect(), "tai_library_cpu_time");
  std::promise<void> burnt, release;
  std::thread library([&] {
    pthread_setname_np(pthread_self(), "tai-test-burn");
    burn(std::chrono::milliseconds(300));
    burnt.set_value();
    release.get_future().wait();
  });
  burnt.get_future().wait();
  const double with_library = Value(*registry.Collect(), "tai_library_cpu_time");
  EXPECT_GE(with_library - before, 0.28);  // clock ticks: 10 ms steps
  burn(std::chrono::milliseconds(300));    // the application's thread
  const double with_application = Value(*registry.Collect(), "tai_library_cpu_time");
  EXPECT_LT(with_application - with_library, 0.05);
  release.set_value();
  library.join();
  EXPECT_GE(Value(*registry.Collect(), "tai_library_cpu_time"), with_application);
}

TEST(ProcessMetricsTest, LibraryCpuBetweenTwoReadingsCountsEachLiveThreadsGrowth) {
  ProcessSnapshot earlier, later;
  earlier.library_thread_ticks = {{101, 100}, {102, 50}};
  // 101 ran 50 more ticks, 102 ended (missed), 103 started (counted whole).
  later.library_thread_ticks = {{101, 150}, {103, 20}};
  const double per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(later.LibraryCpuSecondsSince(earlier), 70 / per_second);
  EXPECT_DOUBLE_EQ(later.LibraryCpuSecondsSince(later), 0);
}

TEST(ProcessMetricsTest, DestroyingItRemovesItsMetrics) {
  MetricRegistry registry;
  {
    auto process = ProcessMetrics::Register(registry);
    ASSERT_TRUE(process.ok());
    EXPECT_NE(FindMetric(*registry.Collect(), "process.memory.usage"), nullptr);
  }
  const MetricData* after = FindMetric(*registry.Collect(), "process.memory.usage");
  EXPECT_TRUE(after == nullptr || after->points.empty());
}

}  // namespace
}  // namespace tai

// Failures the store must survive: the writing process killed with SIGKILL
// mid-write (the file reopens consistent with every acknowledged commit),
// and a full disk (one clear error, drops counted, no crash).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include "store/sqlite_db.h"
#include "store/store_testing.h"

namespace tai {
namespace {

using testing::kBaseTime;
using testing::kSecond;

constexpr int kRounds = 20;

// The child: writes logs and metrics as fast as it can, and after each
// commit reports the index of the last record it committed. Never returns.
[[noreturn]] void WriteUntilKilled(const std::string& path, int round, int ack_fd) {
  const int64_t base = kBaseTime + round * 1000 * kSecond;
  StoreOptions options;
  options.path = path;
  // The store's clock at the records' time: with the wall clock, retention
  // would delete these 2023 records whenever maintenance ran (a slow build
  // ran it mid-round, and the count came up short).
  options.clock = [base] { return base + 1000 * kSecond; };
  auto store = Store::Open(options);
  if (!store.ok()) _exit(2);
  auto descriptor = testing::Descriptor("crash/gauge", MetricType::kGauge);
  Resource resource;
  for (int64_t i = 0;;) {
    std::vector<LogRecord> records(500);
    for (LogRecord& r : records) {
      r.time_unix_nanos = base + i++;
      r.message = "crash test record with some text to make the rows heavier " + std::to_string(i);
    }
    (*store)->AddLogs(LogBatch{resource, records});
    (*store)->AddMetrics(testing::Batch(
        {testing::OneMetric(descriptor, InstrumentKind::kGauge,
                            {testing::Point(LabelSet({{"round", std::to_string(round)}}), base + i,
                                            static_cast<double>(i))})},
        base + i));
    if (!(*store)->Flush(std::chrono::seconds(30)).ok()) _exit(3);
    const int64_t last = i - 1;
    if (::write(ack_fd, &last, sizeof last) != sizeof last) _exit(4);
  }
}

// Reads one acknowledgement, waiting at most 30 s; -1 on end or timeout.
int64_t ReadAck(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return -1;
  int64_t v = -1;
  return ::read(fd, &v, sizeof v) == sizeof v ? v : -1;
}

TEST(StoreCrash, KillNineMidWriteKeepsEveryAcknowledgedCommit) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/crash.db";
  std::mt19937 rng(12345);
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      WriteUntilKilled(path, round, fds[1]);
    }
    ::close(fds[1]);
    int64_t acked = -1;
    const int wait_for = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < wait_for; ++k) {
      const int64_t a = ReadAck(fds[0], 30'000);
      ASSERT_GE(a, 0) << "round " << round << ": the child stopped acknowledging";
      acked = a;
    }
    // A random moment into the next batch.
    ::usleep(static_cast<useconds_t>(rng() % 20'000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round << ": child exited " << status;
    // Commits acknowledged before the kill landed count too.
    for (int64_t a; (a = ReadAck(fds[0], 0)) >= 0;) acked = a;
    ::close(fds[0]);

    auto db = internal::Database::Open(path, internal::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    auto check = (*db)->Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.ok() && check->Step());
    EXPECT_EQ(check->Text(0), "ok") << "round " << round;
    const int64_t base = kBaseTime + round * 1000 * kSecond;
    auto stmt = (*db)->Prepare("SELECT count(*) FROM logs WHERE t >= ?1 AND t <= ?2");
    ASSERT_TRUE(stmt.ok());
    stmt->Bind(1, base).Bind(2, base + acked);
    ASSERT_TRUE(stmt->Step());
    EXPECT_EQ(stmt->Int(0), acked + 1) << "round " << round;
  }
  // A writer opens it again and finds its data.
  StoreOptions options;
  options.path = path;
  options.clock = [] { return kBaseTime + (kRounds + 1) * 1000 * kSecond; };
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto logs = (*store)->SearchLogs({.text = "heavier", .limit = 1});
  ASSERT_TRUE(logs.ok()) << logs.status().ToString();
  EXPECT_EQ(logs->size(), 1u);
}

TEST(StoreFailure, AFullDiskIsReportedOnceAndDropsAreCounted) {
  testing::TestStore t;
  std::atomic<int> reports{0};
  std::string report;
  t.options().max_file_bytes = 512 * 1024;
  t.options().on_error = [&](const std::string& message) {
    if (reports++ == 0) report = message;
  };
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Resource resource;
  uint64_t offered = 0;
  for (int b = 0; b < 60; ++b) {
    std::vector<LogRecord> records(500);
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].time_unix_nanos = kBaseTime + static_cast<int64_t>(offered + i);
      records[i].message = std::string(200, static_cast<char>('a' + b % 26));
    }
    offered += records.size();
    (*store)->AddLogs(LogBatch{resource, records});
    ASSERT_TRUE((*store)->Flush(std::chrono::seconds(30)).ok());
  }
  const StoreStats s = (*store)->stats();
  EXPECT_EQ(reports.load(), 1);
  EXPECT_NE(report.find(t.path()), std::string::npos) << report;
  EXPECT_NE(report.find("full"), std::string::npos) << report;
  EXPECT_GT(s.failed_commits, 0u);
  EXPECT_GT(s.dropped_of(StoreSignal::kLogs), 0u);
  EXPECT_EQ(s.written_of(StoreSignal::kLogs) + s.dropped_of(StoreSignal::kLogs), offered);
  EXPECT_NE(s.last_error.find("full"), std::string::npos);
  // What was committed before is still there and readable.
  auto logs = (*store)->SearchLogs({.limit = 100'000});
  ASSERT_TRUE(logs.ok()) << logs.status().ToString();
  EXPECT_EQ(logs->size(), s.written_of(StoreSignal::kLogs));
}

}  // namespace
}  // namespace tai

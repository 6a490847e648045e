#include "tai/log/log.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/text.h"
#include "log/allocation_counter_testing.h"
#include "log/log_testing.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

using testing_util::LogHarness;

uint32_t ThreadId() { return static_cast<uint32_t>(::syscall(SYS_gettid)); }

SpanContext MakeSpan(uint64_t trace_low, uint64_t span, bool sampled) {
  SpanContext c;
  c.trace_id = TraceId::FromWords(0x0af7651916cd43dd, trace_low);
  c.span_id = SpanId::FromWord(span);
  c.trace_flags = sampled ? SpanContext::kSampledFlag : 0;
  return c;
}

// Makes `context` current for the scope, as the tracing pillar will.
class ScopedSpan {
 public:
  explicit ScopedSpan(const SpanContext& context)
      : previous_(detail::SwapCurrentSpanContext(&context)) {}
  ~ScopedSpan() { detail::SwapCurrentSpanContext(previous_); }

 private:
  const SpanContext* previous_;
};

TEST(LoggerTest, GlobalAndPerLoggerLevelsFilterAtRunTime) {
  LogHarness h;
  Logger& a = h.logger("a");
  Logger& b = h.logger("b");
  EXPECT_EQ(&a, &h.logger("a"));
  TAI_LOG_DEBUG(a, "dropped: below the default INFO");
  TAI_LOG_INFO(a, "kept 1");
  b.SetLevel(LogLevel::kTrace);
  TAI_LOG_TRACE(b, "kept 2");
  h.pipeline->SetLevel(LogLevel::kError);  // b keeps its own level
  TAI_LOG_WARN(a, "dropped: global is now ERROR");
  TAI_LOG_DEBUG(b, "kept 3");
  b.ClearLevel();
  TAI_LOG_WARN(b, "dropped: b follows the global level again");
  TAI_LOG_ERROR(a, "kept 4");
  ASSERT_TRUE(h.pipeline->SetLevels("warn,a=trace").ok());
  TAI_LOG_TRACE(a, "kept 5");
  TAI_LOG_INFO(b, "dropped: below WARN");
  EXPECT_FALSE(h.pipeline->SetLevels("info,a=noisy").ok());
  EXPECT_EQ(h.pipeline->level(), LogLevel::kWarn);  // a bad spec changes nothing
  EXPECT_EQ(h.pipeline->Levels(), "warn,a=trace");

  auto records = h.Records();
  std::vector<std::string> messages;
  for (const auto& r : records) messages.push_back(r.message);
  EXPECT_EQ(messages, (std::vector<std::string>{"kept 1", "kept 2", "kept 3", "kept 4", "kept 5"}));
  EXPECT_EQ(records[1].level, LogLevel::kTrace);
  EXPECT_EQ(records[3].level, LogLevel::kError);
  EXPECT_EQ(records[1].logger_name, "b");
}

TEST(LoggerTest, BelowTheLevelArgumentsAreNotEvaluatedAndNothingAllocates) {
  LogHarness h;
  Logger& log = h.logger();
  int evaluated = 0;
  auto expensive = [&] {
    ++evaluated;
    return std::string(100, 'x');
  };
  uint64_t before = testing_util::ThreadAllocations();
  for (int i = 0; i < 1000; ++i) {
    TAI_LOG_DEBUG(log, {{"big", expensive()}}, "value {}", expensive());
  }
  EXPECT_EQ(testing_util::ThreadAllocations() - before, 0u);
  EXPECT_EQ(evaluated, 0);
  EXPECT_TRUE(h.Records().empty());
}

TEST(LoggerTest, AWarmPipelineDoesNotAllocateOnTheCallingThread) {
  LogHarness h({.queue_capacity = 64, .max_batch = 16});
  Logger& log = h.logger();
  std::string user = "alice";
  auto log_some = [&](int n) {
    for (int i = 0; i < n; ++i) {
      TAI_LOG_INFO(log, {{"user", user}, {"attempt", i}, {"ok", true}}, "request {} of {}", i,
                   user);
    }
  };
  // Twice round the ring, so every slot and batch record has its buffers.
  for (int round = 0; round < 4; ++round) {
    log_some(64);
    ASSERT_TRUE(h.pipeline->Flush(std::chrono::seconds(5)).ok());
  }
  uint64_t before = testing_util::ThreadAllocations();
  log_some(64);
  EXPECT_EQ(testing_util::ThreadAllocations() - before, 0u);
}

TEST(LoggerTest, RecordsCarryLocationTimeThreadAndFormattedMessage) {
  LogHarness h;
  Logger& log = h.logger("svc");
  int64_t t0 = WallNanos();
  TAI_LOG_WARN(log, "{} + {} = {:.1f}", 1, 2, 3.0);
  const int line = __LINE__ - 1;
  int64_t t1 = WallNanos();
  auto records = h.Records();
  ASSERT_EQ(records.size(), 1u);
  const LogRecord& r = records[0];
  EXPECT_EQ(r.message, "1 + 2 = 3.0");
  EXPECT_EQ(r.level, LogLevel::kWarn);
  EXPECT_TRUE(std::string_view(r.file).ends_with("log_test.cc")) << r.file;
  EXPECT_EQ(r.line, static_cast<uint32_t>(line));
  EXPECT_NE(std::string_view(r.function).find("TestBody"), std::string_view::npos) << r.function;
  EXPECT_GE(r.time_unix_nanos, t0);
  EXPECT_LE(r.time_unix_nanos, t1);
  EXPECT_EQ(r.thread_id, ThreadId());
  EXPECT_EQ(r.logger_name, "svc");
  EXPECT_FALSE(r.has_trace());
}

TEST(LoggerTest, AForkedChildRecordsItsOwnThreadId) {
  LogHarness h;
  TAI_LOG_INFO(h.logger(), "parent");  // caches the parent's thread id
  ASSERT_EQ(h.Records().at(0).thread_id, ThreadId());
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    TAI_LOG_INFO(h.logger(), "child");
    bool ok = h.pipeline->Flush(std::chrono::seconds(5)).ok() && h.sink->records().size() == 2 &&
              h.sink->records()[1].thread_id == ThreadId();
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(LoggerTest, TypedFieldsReachTheSink) {
  LogHarness h;
  std::string path = "/api/v1";
  TAI_LOG_INFO(h.logger(),
               {{"path", path},
                {"status", 200},
                {"bytes", uint64_t{1} << 40},
                {"ratio", 0.75},
                {"cached", false}},
               "served");
  auto records = h.Records();
  ASSERT_EQ(records.size(), 1u);
  std::vector<LogField> f(records[0].fields().begin(), records[0].fields().end());
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0], (LogField{"path", "/api/v1"}));
  EXPECT_EQ(f[1], (LogField{"status", 200}));
  EXPECT_EQ(f[2], (LogField{"bytes", uint64_t{1} << 40}));
  EXPECT_EQ(f[3], (LogField{"ratio", 0.75}));
  EXPECT_EQ(f[4], (LogField{"cached", false}));
}

TEST(LoggerTest, CorrelatesWithTheCurrentSpanOrAnExplicitContext) {
  LogHarness h;
  Logger& log = h.logger();
  const SpanContext outer = MakeSpan(1, 0x11, true);
  const SpanContext inner = MakeSpan(2, 0x22, false);
  const SpanContext explicit_context = MakeSpan(3, 0x33, true);
  TAI_LOG_INFO(log, "before");
  {
    ScopedSpan s1(outer);
    TAI_LOG_INFO(log, "in outer");
    {
      ScopedSpan s2(inner);
      TAI_LOG_INFO(log, "in inner");
      TAI_LOG_INFO(log, explicit_context, {}, "explicit");
    }
    TAI_LOG_INFO(log, "outer again");
  }
  TAI_LOG_INFO(log, "after");
  auto r = h.Records();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_FALSE(r[0].has_trace());
  EXPECT_EQ(r[1].trace_id, outer.trace_id);
  EXPECT_EQ(r[1].span_id, outer.span_id);
  EXPECT_TRUE(r[1].trace_sampled());
  EXPECT_EQ(r[2].span_id, inner.span_id);
  EXPECT_FALSE(r[2].trace_sampled());
  EXPECT_EQ(r[3].trace_id, explicit_context.trace_id);
  EXPECT_EQ(r[3].span_id, explicit_context.span_id);
  EXPECT_EQ(r[4].span_id, outer.span_id);
  EXPECT_FALSE(r[5].has_trace());
  EXPECT_FALSE(r[5].span_id.valid());
}

TEST(LoggerTest, CorrelationFollowsEachThreadsOwnSpan) {
  LogHarness h({.queue_capacity = 4096});
  Logger& log = h.logger();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Thread 0 logs outside any span.
      SpanContext mine = MakeSpan(100 + t, 1000 + t, t % 2 == 0);
      std::optional<ScopedSpan> scope;
      if (t != 0) scope.emplace(mine);
      for (int i = 0; i < kPerThread; ++i) TAI_LOG_INFO(log, {{"thread", t}}, "{}", i);
    });
  }
  for (auto& th : threads) th.join();
  auto records = h.Records();
  ASSERT_EQ(records.size(), static_cast<size_t>(kThreads * kPerThread));
  std::vector<int> per_thread(kThreads);
  for (const auto& r : records) {
    LogValue v;
    ASSERT_TRUE(r.FindField("thread", &v));
    int t = static_cast<int>(v.int_value());
    ++per_thread[t];
    if (t == 0) {
      EXPECT_FALSE(r.has_trace());
    } else {
      EXPECT_EQ(r.trace_id, TraceId::FromWords(0x0af7651916cd43dd, 100 + t));
      EXPECT_EQ(r.span_id, SpanId::FromWord(1000 + t));
      EXPECT_EQ(r.trace_sampled(), t % 2 == 0);
    }
  }
  for (int n : per_thread) EXPECT_EQ(n, kPerThread);
}

TEST(LoggerTest, SiteRateLimitCountsWhatItSuppressed) {
  LogSite site(LogLevel::kInfo, std::source_location::current());
  const int64_t s1 = 1'000'000'000LL * 1'700'000'000;
  uint64_t suppressed = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(site.Admit(s1 + i, 3, &suppressed));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(site.Admit(s1 + 10 + i, 3, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  // The first record of the next second carries the count.
  EXPECT_TRUE(site.Admit(s1 + 1'000'000'000, 3, &suppressed));
  EXPECT_EQ(suppressed, 4u);
  suppressed = 0;
  EXPECT_TRUE(site.Admit(s1 + 1'000'000'001, 3, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  EXPECT_TRUE(site.Admit(s1, 0, &suppressed));  // no limit
}

// Rate-limit windows are whole wall-clock seconds, and a call site's state
// lives as long as the process (across pipelines and test repeats): start
// in a fresh second so the loop below runs inside one window.
void WaitForNextSecond() {
  const int64_t second = WallNanos() / 1'000'000'000;
  while (WallNanos() / 1'000'000'000 == second) std::this_thread::yield();
}

TEST(LoggerTest, RateLimitedCallSiteThroughThePipeline) {
  LogHarness h;
  Logger& log = h.logger();
  constexpr int kCalls = 1000;
  WaitForNextSecond();
  for (int i = 0; i < kCalls; ++i) {
    TAI_LOG_RATE_LIMITED(log, LogLevel::kWarn, 5, "flood {}", i);
    TAI_LOG_INFO(log, "unlimited {}", i);  // another site: not limited
  }
  auto records = h.Records();
  size_t limited = 0;
  for (const auto& r : records) {
    if (r.message.starts_with("flood")) {
      ++limited;
    }
  }
  // The loop takes well under a second, so it ran inside one window.
  EXPECT_EQ(limited, 5u);
  EXPECT_EQ(records.size() - limited, static_cast<size_t>(kCalls));
  EXPECT_EQ(h.pipeline->stats().suppressed_rate_limit, kCalls - limited);
  // Only the first record of the window may carry a count (of what an
  // earlier window suppressed); the others carry none.
  size_t carrying = 0;
  for (const auto& r : records) carrying += r.suppressed != 0;
  EXPECT_LE(carrying, 1u);
}

TEST(LoggerTest, PipelineWideRateLimitAppliesPerSite) {
  LogHarness h({.rate_limit_per_site = 2});
  Logger& log = h.logger();
  WaitForNextSecond();
  for (int i = 0; i < 50; ++i) {
    TAI_LOG_INFO(log, "site a");
    TAI_LOG_INFO(log, "site b");
  }
  auto records = h.Records();
  size_t a = 0;
  for (const auto& r : records) a += r.message == "site a";
  EXPECT_EQ(a, 2u);
  EXPECT_EQ(records.size() - a, 2u);
  EXPECT_EQ(h.pipeline->stats().suppressed_rate_limit, 96u);
}

TEST(LoggerTest, ARuntimeFormatErrorStillMakesARecord) {
  LogHarness h;
  Logger& log = h.logger();
  TAI_LOG_ERROR(log, fmt::runtime("{} and {}"), 1);
  TAI_LOG_INFO(log, "next");
  auto records = h.Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_NE(records[0].message.find("format error"), std::string::npos) << records[0].message;
  EXPECT_NE(records[0].message.find("{} and {}"), std::string::npos);
  EXPECT_EQ(records[1].message, "next");
}

TEST(LoggerTest, LongMessagesAreCutAtACharacterBoundary) {
  LogHarness h({.max_message_bytes = 101});
  std::string accents;
  for (int i = 0; i < 1000; ++i) accents += "\xc3\xa9";  // U+00E9, two bytes
  TAI_LOG_INFO(h.logger(), "{}", accents);
  auto records = h.Records();
  ASSERT_EQ(records.size(), 1u);
  const std::string& m = records[0].message;
  EXPECT_LE(m.size(), 101u);
  EXPECT_TRUE(m.ends_with("[truncated]")) << m;
  EXPECT_TRUE(internal::IsValidUtf8(m));
}

TEST(LoggerDeathTest, FatalFlushesEverySinkThenAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The sink writes to stderr, where the death test looks for it: the
  // record must have gone through the background pipeline before abort().
  class StderrSink : public LogSink {
   public:
    std::string name() const override { return "stderr"; }
    Status Export(const LogBatch& batch) override {
      for (const auto& r : batch.records) {
        std::string line = "SEEN " + std::string(LogLevelName(r.level)) + ": " + r.message + "\n";
        (void)!::write(2, line.data(), line.size());
      }
      return Status::Ok();
    }
  };
  auto run = [](LogLevel level) {
    LogPipeline pipeline({.level = level, .export_interval = std::chrono::hours(1)});
    pipeline.AddSink(std::make_shared<StderrSink>());
    (void)pipeline.Start();
    Logger& log = pipeline.GetLogger("fatal");
    TAI_LOG_INFO(log, "before the end");
    TAI_LOG_FATAL(log, "giving up: {}", 42);
  };
  EXPECT_DEATH(run(LogLevel::kInfo), "SEEN INFO: before the end\nSEEN FATAL: giving up: 42");
  // Filtered out, FATAL still aborts (and still flushes what was logged).
  EXPECT_DEATH(run(LogLevel::kOff), "");
}

}  // namespace
}  // namespace tai

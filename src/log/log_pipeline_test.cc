#include "tai/log/log_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "log/log_testing.h"

namespace tai {
namespace {

using namespace std::chrono_literals;
using testing_util::LogHarness;

// Waits (bounded) until `done` holds; for conditions the background thread
// makes true.
template <typename F>
bool WaitFor(F done, std::chrono::milliseconds limit = 10s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A sink that holds Export until released, to fill the queue behind it.
class GateSink : public LogSink {
 public:
  std::string name() const override { return "gate"; }
  Status Export(const LogBatch& batch) override {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    entered_cv_.notify_all();
    open_cv_.wait(lock, [&] { return open_; });
    seen_ += batch.records.size();
    return Status::Ok();
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    entered_cv_.wait(lock, [&] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    open_cv_.notify_all();
  }
  size_t seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::condition_variable entered_cv_, open_cv_;
  bool entered_ = false, open_ = false;
  size_t seen_ = 0;
};

TEST(LogPipelineTest, BackgroundThreadExportsInBatches) {
  LogHarness h({.max_batch = 64, .export_interval = 5ms});
  ASSERT_TRUE(h.pipeline->Start().ok());
  EXPECT_FALSE(h.pipeline->Start().ok());
  for (int i = 0; i < 1000; ++i) TAI_LOG_INFO(h.logger(), "{}", i);
  ASSERT_TRUE(WaitFor([&] { return h.sink->exported() == 1000; }));
  auto records = h.sink->records();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(records[i].message, std::to_string(i));  // in order
  EXPECT_GE(h.sink->batches(), 1000u / 64);
  auto s = h.pipeline->stats();
  EXPECT_EQ(s.enqueued, 1000u);
  EXPECT_EQ(s.exported, 1000u);
  EXPECT_EQ(s.dropped_queue_full, 0u);
}

TEST(LogPipelineTest, AFullQueueDropsAndCountsWithoutBlocking) {
  auto gate = std::make_shared<GateSink>();
  LogPipeline pipeline({.queue_capacity = 16, .max_batch = 4, .export_interval = 1ms});
  pipeline.AddSink(gate);
  ASSERT_TRUE(pipeline.Start().ok());
  Logger& log = pipeline.GetLogger("flood");
  TAI_LOG_INFO(log, "first");
  gate->WaitEntered();  // the drainer is now stuck in Export with 1 record
  // 16 slots free; everything past them is dropped, and the calls return.
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) TAI_LOG_INFO(log, "flood {}", i);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 1s);
  auto s = pipeline.stats();
  EXPECT_EQ(s.enqueued, 17u);
  EXPECT_EQ(s.dropped_queue_full, 1000u - 16u);
  gate->Open();
  ASSERT_TRUE(pipeline.Flush(10s).ok());
  // The 17 records, and one notice of the drops.
  EXPECT_EQ(gate->seen(), 18u);
  // Room again once drained; no new drops, no new notice.
  TAI_LOG_INFO(log, "after");
  ASSERT_TRUE(pipeline.Flush(10s).ok());
  EXPECT_EQ(gate->seen(), 19u);
}

TEST(LogPipelineTest, TheQueueTakesMemoryOnlyAsFarAsItHasFilled) {
  // The largest capacity the configuration allows: nothing of it exists
  // until records arrive, then one chunk of 256 slots per 256 queued.
  LogHarness h({.queue_capacity = 1 << 20, .export_interval = std::chrono::hours(1)});
  EXPECT_EQ(h.pipeline->stats().queue_slots_allocated, 0u);
  for (int i = 0; i < 10; ++i) TAI_LOG_INFO(h.logger(), "{}", i);
  EXPECT_EQ(h.pipeline->stats().queue_slots_allocated, 256u);
  for (int i = 10; i < 600; ++i) TAI_LOG_INFO(h.logger(), "{}", i);
  EXPECT_EQ(h.pipeline->stats().queue_slots_allocated, 768u);
  // Records spanning the chunks come out whole and in order.
  auto records = h.Records();
  ASSERT_EQ(records.size(), 600u);
  for (int i = 0; i < 600; ++i) ASSERT_EQ(records[i].message, std::to_string(i));
}

TEST(LogPipelineTest, ASmallQueueGoesRoundItsOneChunkAndDropsPastIt) {
  // 4 slots: one chunk smaller than the usual 256, reused lap after lap.
  LogHarness h({.queue_capacity = 4, .export_interval = std::chrono::hours(1)});
  for (int lap = 0; lap < 3; ++lap) {
    for (int i = 0; i < 6; ++i) TAI_LOG_INFO(h.logger(), "{}:{}", lap, i);
    auto records = h.Records();
    ASSERT_EQ(records.size(), 5u);  // 4 kept and the notice of 2 drops
    EXPECT_EQ(records[0].message, std::to_string(lap) + ":0");
    EXPECT_EQ(records[3].message, std::to_string(lap) + ":3");
    EXPECT_EQ(records[4].logger_name, "tai.log");
    h.sink->Clear();
  }
  EXPECT_EQ(h.pipeline->stats().queue_slots_allocated, 4u);
  EXPECT_EQ(h.pipeline->stats().dropped_queue_full, 6u);
}

TEST(LogPipelineTest, DropsAreReportedInTheLogStream) {
  LogHarness h({.queue_capacity = 4});
  for (int i = 0; i < 10; ++i) TAI_LOG_INFO(h.logger(), "{}", i);  // not started: 6 dropped
  auto records = h.Records();
  ASSERT_EQ(records.size(), 5u);
  const LogRecord& notice = records[4];
  EXPECT_EQ(notice.logger_name, "tai.log");
  EXPECT_EQ(notice.level, LogLevel::kWarn);
  EXPECT_EQ(notice.message, "dropped 6 log records: the queue of 4 was full");
  LogValue v;
  ASSERT_TRUE(notice.FindField("dropped", &v));
  EXPECT_EQ(v.uint_value(), 6u);
  // Nothing new dropped: no second notice.
  TAI_LOG_INFO(h.logger(), "more");
  EXPECT_EQ(h.Records().size(), 6u);
}

TEST(LogPipelineTest, RecordsBeforeStartAreKeptAndStopFlushesThem) {
  LogHarness h({.export_interval = std::chrono::hours(1)});
  for (int i = 0; i < 10; ++i) TAI_LOG_INFO(h.logger(), "early {}", i);
  ASSERT_TRUE(h.pipeline->Start().ok());
  for (int i = 0; i < 10; ++i) TAI_LOG_INFO(h.logger(), "late {}", i);
  h.pipeline->Stop(5s);
  EXPECT_EQ(h.sink->exported(), 20u);
  EXPECT_EQ(h.pipeline->stats().dropped_at_shutdown, 0u);
  // After Stop nothing more is taken, and Stop is idempotent.
  TAI_LOG_ERROR(h.logger(), "too late");
  EXPECT_EQ(h.logger().effective_level(), LogLevel::kOff);
  h.pipeline->Stop(5s);
  EXPECT_EQ(h.sink->exported(), 20u);
  EXPECT_EQ(h.pipeline->stats().enqueued, 20u);
}

TEST(LogPipelineTest, StopGivesUpAtTheDeadlineAndCountsWhatIsLeft) {
  auto gate = std::make_shared<GateSink>();
  LogPipeline pipeline({.queue_capacity = 64, .max_batch = 8});
  pipeline.AddSink(gate);
  Logger& log = pipeline.GetLogger("x");
  for (int i = 0; i < 20; ++i) TAI_LOG_INFO(log, "{}", i);
  // Another thread is stuck exporting the first batch (8 records) when Stop runs.
  std::thread stuck([&] { (void)pipeline.Flush(10s); });
  gate->WaitEntered();
  pipeline.Stop(50ms);
  EXPECT_EQ(pipeline.stats().dropped_at_shutdown, 20u - 8u);
  gate->Open();
  stuck.join();
}

TEST(LogPipelineTest, ManyThreadsLoseNothingWhenTheQueueIsLargeEnough) {
  LogHarness h({.queue_capacity = 1 << 16, .max_batch = 256, .export_interval = 1ms});
  ASSERT_TRUE(h.pipeline->Start().ok());
  constexpr int kThreads = 4, kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Logger& log = h.pipeline->GetLogger("t" + std::to_string(t));
      for (int i = 0; i < kPerThread; ++i) TAI_LOG_INFO(log, {{"i", i}}, "from {}", t);
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(h.pipeline->Flush(10s).ok());
  auto records = h.sink->records();
  ASSERT_EQ(records.size(), static_cast<size_t>(kThreads * kPerThread));
  // Per logger, records arrive in the order they were made.
  std::vector<int64_t> last(kThreads, -1);
  for (const auto& r : records) {
    int t = r.logger_name[1] - '0';
    LogValue v;
    ASSERT_TRUE(r.FindField("i", &v));
    EXPECT_EQ(v.int_value(), last[t] + 1);
    last[t] = v.int_value();
  }
}

TEST(LogPipelineTest, StopWhileThreadsAreLoggingLosesNoCount) {
  class CountingSink : public LogSink {
   public:
    std::string name() const override { return "counting"; }
    Status Export(const LogBatch& batch) override {
      for (const auto& r : batch.records) busy.fetch_add(r.logger_name == "busy");
      return Status::Ok();
    }
    std::atomic<uint64_t> busy{0};
  };
  LogHarness h({.queue_capacity = 1024, .max_batch = 64, .export_interval = 1ms});
  auto counter = std::make_shared<CountingSink>();
  h.pipeline->AddSink(counter);
  ASSERT_TRUE(h.pipeline->Start().ok());
  std::atomic<bool> go{true};
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      Logger& log = h.logger("busy");
      started.fetch_add(1);
      while (go.load(std::memory_order_relaxed)) TAI_LOG_INFO(log, {{"k", 1}}, "busy");
    });
  }
  while (started.load() < 3) std::this_thread::yield();
  ASSERT_TRUE(WaitFor([&] { return h.sink->exported() > 1000; }));
  h.pipeline->Stop(5s);  // loggers turn off while the threads are still calling
  go = false;
  for (auto& th : threads) th.join();
  auto s = h.pipeline->stats();
  // Every record that got a slot was exported or counted as left behind.
  EXPECT_EQ(s.enqueued, s.exported + s.dropped_at_shutdown);
  EXPECT_EQ(s.exported, counter->busy.load());  // the sink also got notices of drops
  EXPECT_EQ(h.logger("busy").effective_level(), LogLevel::kOff);
}

TEST(LogPipelineTest, ASinkErrorIsCountedAndOtherSinksStillGetTheBatch) {
  class FailingSink : public LogSink {
   public:
    std::string name() const override { return "failing"; }
    Status Export(const LogBatch&) override { return UnavailableError("down"); }
  };
  class ThrowingSink : public LogSink {
   public:
    std::string name() const override { return "throwing"; }
    Status Export(const LogBatch&) override { throw std::runtime_error("bug"); }
  };
  LogHarness h;
  h.pipeline->AddSink(std::make_shared<FailingSink>());
  h.pipeline->AddSink(std::make_shared<ThrowingSink>());
  TAI_LOG_INFO(h.logger(), "x");
  EXPECT_EQ(h.Records().size(), 1u);
  EXPECT_EQ(h.pipeline->stats().sink_errors, 2u);
}

TEST(LogPipelineTest, BatchCarriesTheResource) {
  class ResourceSink : public LogSink {
   public:
    std::string name() const override { return "resource"; }
    Status Export(const LogBatch& batch) override {
      service = batch.resource.service_name;
      return Status::Ok();
    }
    std::string service;
  };
  Resource res;
  res.service_name = "checkout";
  LogHarness h({}, res);
  auto sink = std::make_shared<ResourceSink>();
  h.pipeline->AddSink(sink);
  TAI_LOG_INFO(h.logger(), "x");
  ASSERT_TRUE(h.pipeline->Flush(5s).ok());
  EXPECT_EQ(sink->service, "checkout");
}

}  // namespace
}  // namespace tai

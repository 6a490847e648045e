#include "tai/trace/span_processor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "trace/trace_testing.h"

namespace tai {
namespace {

using namespace std::chrono_literals;
using testing::TracerWithSink;

// A sink that holds the export thread until released: a backend that hangs.
class BlockingSink : public SpanSink {
 public:
  std::string name() const override { return "blocking"; }
  Status Export(const SpanBatch& batch, const Resource&) override {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return released_; });
    spans_ += batch->size();
    return Status::Ok();
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return entered_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    changed_.notify_all();
  }
  size_t spans() {
    std::lock_guard<std::mutex> lock(mu_);
    return spans_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool entered_ = false;
  bool released_ = false;
  size_t spans_ = 0;
};

class FailingSink : public SpanSink {
 public:
  std::string name() const override { return "failing"; }
  Status Export(const SpanBatch&, const Resource&) override {
    return UnavailableError("backend down");
  }
};

class ThrowingSink : public SpanSink {
 public:
  std::string name() const override { return "throwing"; }
  Status Export(const SpanBatch&, const Resource&) override {
    throw std::runtime_error("sink bug");
  }
};

TEST(BatchSpanProcessorTest, ShutdownFlushLosesNoSpan) {
  auto sink = std::make_shared<InMemorySpanSink>(1'000'000);
  auto processor = std::make_shared<BatchSpanProcessor>(
      Resource{}, BatchSpanProcessorOptions{.queue_size = 1 << 16, .export_interval = 30s});
  processor->AddSink(sink);
  Tracer tracer(processor);
  constexpr int kThreads = 4;
  constexpr int kSpans = 10'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kSpans; ++i) {
        Span s = tracer.StartSpan("work");
        s.SetAttribute("i", i);
      }
    });
  }
  for (auto& th : threads) th.join();
  processor->Shutdown(10s);
  const SpanProcessorStats stats = processor->stats();
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(sink->exported(), size_t{kThreads * kSpans});
  EXPECT_EQ(stats.exported, uint64_t{kThreads * kSpans});
  EXPECT_EQ(stats.queue_depth, 0u);
}

TEST(BatchSpanProcessorTest, FullQueueDropsAndCountsWithoutBlocking) {
  auto blocking = std::make_shared<BlockingSink>();
  auto processor = std::make_shared<BatchSpanProcessor>(
      Resource{}, BatchSpanProcessorOptions{.queue_size = 64, .batch_traces = 1});
  processor->AddSink(blocking);
  Tracer tracer(processor);
  { Span first = tracer.StartSpan("first"); }  // a complete trace: exported at once
  blocking->WaitEntered();                     // the export thread is now stuck
  // The caller must never wait: 1000 more spans into a 64-slot queue return.
  for (int i = 0; i < 1000; ++i) Span s = tracer.StartSpan("more");
  SpanProcessorStats stats = processor->stats();
  EXPECT_EQ(stats.queue_depth, 64u);
  EXPECT_EQ(stats.dropped, 1000u - 64u);
  EXPECT_EQ(stats.enqueued, 65u);
  blocking->Release();
  processor->Shutdown(10s);
  EXPECT_EQ(blocking->spans(), 65u);
  EXPECT_EQ(processor->stats().dropped, 1000u - 64u);
}

TEST(BatchSpanProcessorTest, ExportsWhenEnoughTracesAreCompleteWithoutWaitingForTheInterval) {
  TracerWithSink t({}, {.batch_traces = 100, .export_interval = std::chrono::hours(1)});
  for (int i = 0; i < 100; ++i) {
    Span root = t.tracer->StartSpan("root");
    Span child = t.tracer->StartSpan("child", root);
  }
  // Bounded wait: the hour-long interval would time this out.
  ASSERT_TRUE(t.sink->WaitForSpans(200, 20s));
  EXPECT_EQ(t.sink->batches(), 1u);
}

TEST(BatchSpanProcessorTest, ExportsAfterTheIntervalWithFewTraces) {
  TracerWithSink t({}, {.batch_traces = 100, .export_interval = 50ms});
  { Span lonely = t.tracer->StartSpan("lonely"); }
  ASSERT_TRUE(t.sink->WaitForSpans(1, 20s));
}

TEST(BatchSpanProcessorTest, BatchesAreCappedAtMaxBatchSpans) {
  TracerWithSink t({}, {.queue_size = 4096, .max_batch_spans = 10, .export_interval = 1h});
  {
    Span root = t.tracer->StartSpan("root");
    for (int i = 0; i < 35; ++i) Span child = t.tracer->StartSpan("child", root);
  }
  EXPECT_EQ(t.Flushed().size(), 36u);
  EXPECT_EQ(t.sink->batches(), 4u);  // 10 + 10 + 10 + the 6 left at flush
}

TEST(BatchSpanProcessorTest, SinkErrorsAreCountedPerSinkAndOthersStillGetTheBatch) {
  TracerWithSink t;
  t.processor->AddSink(std::make_shared<FailingSink>());
  t.processor->AddSink(std::make_shared<ThrowingSink>());
  { Span s = t.tracer->StartSpan("x"); }
  EXPECT_EQ(t.Flushed().size(), 1u);
  EXPECT_EQ(t.processor->stats().export_errors, 2u);
  auto errors = t.processor->sink_errors();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], std::make_pair(std::string("memory"), uint64_t{0}));
  EXPECT_EQ(errors[1], std::make_pair(std::string("failing"), uint64_t{1}));
  EXPECT_EQ(errors[2], std::make_pair(std::string("throwing"), uint64_t{1}));
}

TEST(BatchSpanProcessorTest, SpansEndedAfterShutdownAreDroppedAndCounted) {
  TracerWithSink t;
  t.processor->Shutdown(1s);
  t.processor->Shutdown(1s);  // idempotent
  { Span late = t.tracer->StartSpan("late"); }
  EXPECT_EQ(t.processor->stats().dropped, 1u);
  EXPECT_EQ(t.sink->exported(), 0u);
}

TEST(BatchSpanProcessorTest, ShutdownDeadlineBoundsAHungSink) {
  auto blocking = std::make_shared<BlockingSink>();
  auto processor = std::make_shared<BatchSpanProcessor>(
      Resource{}, BatchSpanProcessorOptions{.batch_traces = 1});
  processor->AddSink(blocking);
  Tracer tracer(processor);
  { Span s = tracer.StartSpan("stuck"); }
  blocking->WaitEntered();
  { Span s = tracer.StartSpan("waiting"); }
  EXPECT_FALSE(processor->Flush(100ms));  // reports the miss instead of hanging
  blocking->Release();
  processor->Shutdown(10s);
  EXPECT_EQ(blocking->spans(), 2u);
}

}  // namespace
}  // namespace tai

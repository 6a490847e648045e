// Error keeping under concurrency: traces whose spans end on several
// threads, errors set on either side, and the per-thread lookup table's
// limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "tai/trace/trace.h"
#include "trace/trace_testing.h"

namespace tai {
namespace {

using testing::TracerWithSink;

// A request handed to a worker thread: the context it carries, which side
// sets the error, and a promise the worker keeps when its span has ended.
struct Handoff {
  SpanContext context;
  enum class Error { kNone, kWorker, kRequest } error = Error::kNone;
  std::promise<void> done;
};

class HandoffQueue {
 public:
  void Push(Handoff* h) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      items_.push_back(h);
    }
    cv_.notify_one();
  }
  // Null once closed and empty, or after 30 s without work (a hung test).
  Handoff* Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(30), [&] { return closed_ || !items_.empty(); })) {
      return nullptr;
    }
    if (items_.empty()) return nullptr;
    Handoff* h = items_.front();
    items_.pop_front();
    return h;
  }
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Handoff*> items_;
  bool closed_ = false;
};

TEST(ErrorKeepingTest, EveryErrorTraceIsExportedWholeWhenItsSpansEndOnSeveralThreads) {
  constexpr int kProducers = 2;
  constexpr int kWorkers = 2;
  constexpr int kRequestsPerProducer = 1500;
  TracerWithSink t({.sampler = AlwaysOffSampler()},
                   {.queue_size = 1 << 16, .max_batch_spans = 4096});
  HandoffQueue queue;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      while (Handoff* h = queue.Pop()) {
        {
          Span work = t.tracer->StartSpan("work", {.parent = &h->context});
          if (h->error == Handoff::Error::kWorker) work.SetStatus(SpanStatusCode::kError, "w");
        }
        h->done.set_value();
      }
    });
  }
  std::mutex mu;
  std::map<std::string, Handoff::Error> expected;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kRequestsPerProducer; ++i) {
        Handoff h;
        h.error = static_cast<Handoff::Error>((i + p) % 3);
        Span request = t.tracer->StartSpan("request");
        { Span local = t.tracer->StartSpan("local", request); }
        h.context = request.context();
        {
          std::lock_guard<std::mutex> lock(mu);
          expected[h.context.trace_id.ToHex()] = h.error;
        }
        std::future<void> done = h.done.get_future();
        queue.Push(&h);
        // The request stays open until the worker's span has ended, so the
        // worker always finds the trace's buffer.
        ASSERT_EQ(done.wait_for(std::chrono::seconds(30)), std::future_status::ready);
        if (h.error == Handoff::Error::kRequest) request.SetStatus(SpanStatusCode::kError, "r");
      }
    });
  }
  for (auto& p : producers) p.join();
  queue.Close();
  for (auto& w : workers) w.join();

  std::map<std::string, std::vector<std::string>> exported;
  for (const SpanData& s : t.Flushed()) {
    EXPECT_TRUE(s.kept_for_error);
    exported[s.context.trace_id.ToHex()].push_back(s.name);
  }
  size_t error_traces = 0;
  for (const auto& [id, error] : expected) {
    auto it = exported.find(id);
    if (error == Handoff::Error::kNone) {
      EXPECT_EQ(it, exported.end()) << "a clean trace was exported";
      continue;
    }
    ++error_traces;
    ASSERT_NE(it, exported.end()) << "an error trace was lost";
    std::vector<std::string> names = it->second;
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"local", "request", "work"}));
  }
  EXPECT_EQ(t.tracer->stats().error_traces_kept, error_traces);
  EXPECT_EQ(t.tracer->stats().error_spans_kept, 3 * error_traces);
  EXPECT_EQ(t.processor->stats().dropped, 0u);
}

TEST(ErrorKeepingTest, ErrorTracesAreWholeAndCleanUnsampledOnesAbsentAtAnyRatio) {
  for (double ratio : {0.0, 0.01, 0.5, 1.0}) {
    TracerWithSink t({.sampler = ParentBasedSampler(TraceIdRatioSampler(ratio))},
                     {.queue_size = 1 << 14});
    std::map<std::string, bool> sampled_by_trace;
    std::map<std::string, bool> error_by_trace;
    for (int i = 0; i < 600; ++i) {
      Span request = t.tracer->StartSpan("request");
      SpanScope scope(request);
      { Span a = t.tracer->StartSpan("a"); }
      Span b = t.tracer->StartSpan("b");
      const bool error = i % 7 == 0;
      if (error) b.SetStatus(SpanStatusCode::kError, "e");
      sampled_by_trace[request.context().trace_id.ToHex()] = request.context().sampled();
      error_by_trace[request.context().trace_id.ToHex()] = error;
    }
    std::map<std::string, size_t> exported;
    for (const SpanData& s : t.Flushed()) {
      ++exported[s.context.trace_id.ToHex()];
      EXPECT_EQ(s.kept_for_error, !s.context.sampled());
    }
    for (const auto& [id, sampled] : sampled_by_trace) {
      const size_t want = sampled || error_by_trace[id] ? 3 : 0;
      EXPECT_EQ(exported[id], want) << "ratio " << ratio << " trace " << id;
    }
  }
}

// Local roots under remote parents whose trace ids share their low byte:
// one thread's lookup table holds four of them at once.
TEST(ErrorKeepingTest, ATraceCrowdedOutOfTheLookupTableIsCountedAndKeepsItsOwnErrors) {
  TracerWithSink t({.sampler = AlwaysOffSampler()});
  std::vector<Span> roots;
  for (uint64_t i = 0; i < 5; ++i) {
    SpanContext remote;
    remote.trace_id = TraceId::FromWords(0xabc + i, (i << 8) | 0x42);
    remote.span_id = SpanId::FromWord(7 + i);
    remote.remote = true;
    roots.push_back(t.tracer->StartSpan("root", {.parent = &remote}));
  }
  EXPECT_EQ(t.tracer->stats().error_lookup_evictions, 1u);
  // The first root lost its slot: a span started from its context on
  // another thread keeps at least its own error (it may still find the
  // root through an older slot that points at the buffer the root reused).
  // The last root holds the slot: its trace is found and kept whole.
  const SpanContext crowded_out = roots[0].context();
  const SpanContext found = roots[4].context();
  std::thread([&] {
    Span a = t.tracer->StartSpan("orphan", {.parent = &crowded_out});
    a.SetStatus(SpanStatusCode::kError, "x");
    Span b = t.tracer->StartSpan("joined", {.parent = &found});
    b.SetStatus(SpanStatusCode::kError, "y");
  }).join();
  roots.clear();
  std::multiset<std::pair<std::string, std::string>> exported;
  for (const SpanData& s : t.Flushed()) exported.emplace(s.name, s.context.trace_id.ToHex());
  const std::string lost = crowded_out.trace_id.ToHex();
  const std::string kept = found.trace_id.ToHex();
  EXPECT_EQ(exported.count({"orphan", lost}), 1u);
  EXPECT_EQ(exported.count({"joined", kept}), 1u);
  EXPECT_EQ(exported.count({"root", kept}), 1u);
  EXPECT_EQ(exported.size() - exported.count({"root", lost}), 3u)
      << "a span of a clean trace was exported";
}

}  // namespace
}  // namespace tai

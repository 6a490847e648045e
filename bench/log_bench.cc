// Logging hot path and background writer, with the baselines they are
// judged against measured in the same binary and the same run:
//   BM_Spdlog_Async_Info3Fields  spdlog's async logger (null sink), the same
//                                record with its 3 fields formatted into the text
//   BM_FmtFormatTo_Info3Fields   fmt::format_to of the same text into a warm buffer
//
//   build/bench/log_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spdlog/async.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tai/log/cloud_logging_json.h"
#include "tai/log/log_pipeline.h"

namespace {

using namespace std::chrono_literals;

// Counts what it is given and drops it.
class DiscardSink : public tai::LogSink {
 public:
  std::string name() const override { return "discard"; }
  tai::Status Export(const tai::LogBatch& batch) override {
    records.fetch_add(batch.records.size(), std::memory_order_relaxed);
    return tai::Status::Ok();
  }
  std::atomic<uint64_t> records{0};
};

// The default options (a queue of 8192 slots), a running background thread.
struct AsyncPipeline {
  AsyncPipeline() : sink(std::make_shared<DiscardSink>()) {
    pipeline.AddSink(sink);
    (void)pipeline.Start();
  }
  std::shared_ptr<DiscardSink> sink;
  tai::LogPipeline pipeline;
};

AsyncPipeline& Async() {
  static auto* p = new AsyncPipeline();
  return *p;
}

void BM_Log_BelowLevel(benchmark::State& state) {
  tai::Logger& log = Async().pipeline.GetLogger("bench");
  int64_t user = 42;
  std::string path = "/api/v1/orders";
  for (auto _ : state) {
    TAI_LOG_DEBUG(log, {{"user_id", user}, {"path", path}, {"ok", true}}, "served {} in {} us",
                  path, 125);
  }
}
BENCHMARK(BM_Log_BelowLevel);

// The calling thread's cost of one INFO record with 3 fields, with room in
// the queue: every 3000 records the timer stops while the background thread
// catches up, so that no record is dropped (a drop is cheaper than a record
// and would flatter the figure). dropped_pct shows that none were.
constexpr int kCatchUpEvery = 3000;

// Context switches of the calling thread (voluntary + involuntary): a
// calling thread that is switched out waits in real time but not in CPU time.
int64_t ContextSwitches() {
  rusage u;
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_nvcsw + u.ru_nivcsw;
}

void BM_Log_Async_Info3Fields(benchmark::State& state) {
  AsyncPipeline& p = Async();
  tai::Logger& log = p.pipeline.GetLogger("bench");
  int64_t user = 42;
  std::string path = "/api/v1/orders";
  const auto before = p.pipeline.stats();
  const int64_t switches = ContextSwitches();
  int n = 0;
  for (auto _ : state) {
    TAI_LOG_INFO(log, {{"user_id", user}, {"path", path}, {"ok", true}}, "served {} in {} us", path,
                 125);
    if (++n == kCatchUpEvery) {
      state.PauseTiming();
      (void)p.pipeline.Flush(10s);
      n = 0;
      state.ResumeTiming();
    }
  }
  state.counters["switches_per_1k"] =
      benchmark::Counter(1000.0 * static_cast<double>(ContextSwitches() - switches) /
                             static_cast<double>(state.iterations()),
                         benchmark::Counter::kAvgThreads);
  if (state.thread_index() == 0) {
    const auto after = p.pipeline.stats();
    state.counters["dropped_pct"] =
        100.0 * static_cast<double>(after.dropped_queue_full - before.dropped_queue_full) /
        static_cast<double>(state.iterations() * state.threads());
  }
}
BENCHMARK(BM_Log_Async_Info3Fields)->Threads(1)->Threads(2)->UseRealTime();

std::shared_ptr<spdlog::logger> SpdlogAsync() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    spdlog::init_thread_pool(1 << 16, 1);
    auto l = spdlog::create_async<spdlog::sinks::null_sink_mt>("bench_async");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return logger;
}

void SpdlogCatchUp() {
  while (spdlog::thread_pool()->queue_size() != 0) std::this_thread::yield();
}

// The same record through spdlog's async logger (its fields formatted into
// the text, as spdlog has no structured fields), measured the same way.
void BM_Spdlog_Async_Info3Fields(benchmark::State& state) {
  auto log = SpdlogAsync();
  int64_t user = 42;
  std::string path = "/api/v1/orders";
  int n = 0;
  for (auto _ : state) {
    log->info("served {} in {} us user_id={} path={} ok={}", path, 125, user, path, true);
    if (++n == kCatchUpEvery) {
      state.PauseTiming();
      SpdlogCatchUp();
      n = 0;
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_Spdlog_Async_Info3Fields)->Threads(1)->Threads(2)->UseRealTime();

// Sustained: no pauses. The producer outruns the writer on a 2-core host,
// so the queue fills: ours drops and counts (dropped_pct), spdlog's default
// policy blocks the caller until the writer has room.
void BM_Log_Async_Sustained(benchmark::State& state) {
  AsyncPipeline& p = Async();
  tai::Logger& log = p.pipeline.GetLogger("bench");
  int64_t user = 42;
  std::string path = "/api/v1/orders";
  const auto before = p.pipeline.stats();
  for (auto _ : state) {
    TAI_LOG_INFO(log, {{"user_id", user}, {"path", path}, {"ok", true}}, "served {} in {} us", path,
                 125);
  }
  const auto after = p.pipeline.stats();
  state.counters["dropped_pct"] =
      100.0 * static_cast<double>(after.dropped_queue_full - before.dropped_queue_full) /
      static_cast<double>(state.iterations());
  (void)p.pipeline.Flush(10s);
}
BENCHMARK(BM_Log_Async_Sustained)->UseRealTime();

void BM_Spdlog_Async_Sustained(benchmark::State& state) {
  auto log = SpdlogAsync();
  int64_t user = 42;
  std::string path = "/api/v1/orders";
  for (auto _ : state) {
    log->info("served {} in {} us user_id={} path={} ok={}", path, 125, user, path, true);
  }
  SpdlogCatchUp();
}
BENCHMARK(BM_Spdlog_Async_Sustained)->UseRealTime();

void BM_Spdlog_BelowLevel(benchmark::State& state) {
  auto log = SpdlogAsync();
  int64_t user = 42;
  std::string path = "/api/v1/orders";
  for (auto _ : state) {
    log->debug("served {} in {} us user_id={} path={} ok={}", path, 125, user, path, true);
  }
}
BENCHMARK(BM_Spdlog_BelowLevel);

void BM_FmtFormatTo_Info3Fields(benchmark::State& state) {
  std::string out;
  int64_t user = 42;
  std::string path = "/api/v1/orders";
  for (auto _ : state) {
    out.clear();
    fmt::format_to(std::back_inserter(out), "served {} in {} us user_id={} path={} ok={}", path,
                   125, user, path, true);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_FmtFormatTo_Info3Fields);

// The background writer: records already queued, drained to a sink. Timed
// from the first to the last record exported (manual time), so that
// filling the queue is not counted.
template <typename MakeSink>
void DrainThroughput(benchmark::State& state, MakeSink make_sink) {
  constexpr int kRecords = 1 << 15;
  tai::LogPipeline pipeline({.queue_capacity = kRecords});
  pipeline.AddSink(make_sink());
  tai::Logger& log = pipeline.GetLogger("bench");
  int64_t user = 42;
  std::string path = "/api/v1/orders";
  for (auto _ : state) {
    for (int i = 0; i < kRecords; ++i) {
      TAI_LOG_INFO(log, {{"user_id", user}, {"path", path}, {"ok", true}}, "served {} in {} us",
                   path, i);
    }
    auto t0 = std::chrono::steady_clock::now();
    (void)pipeline.Flush(60s);
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}

void BM_Writer_DiscardSink(benchmark::State& state) {
  DrainThroughput(state, [] { return std::make_shared<DiscardSink>(); });
}
BENCHMARK(BM_Writer_DiscardSink)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_Writer_CloudLoggingJsonToDevNull(benchmark::State& state) {
  static int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  DrainThroughput(state, [] {
    return std::make_shared<tai::CloudLoggingJsonSink>(tai::CloudLoggingJsonOptions{.fd = fd});
  });
}
BENCHMARK(BM_Writer_CloudLoggingJsonToDevNull)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

// What the embedded store costs the application's threads: the per-call
// figures of the four calls a request makes (a counter add, a histogram
// record, a span with two attributes, an INFO log with three fields) on the
// calling thread of a started tai::Observability, with the store on (the
// default: store, alert engine and dashboard) and off (Config::store.enabled
// = false, as TAI_STORE=off). The store's sinks run on the collector, span
// export and log threads and only queue; these figures check that the
// calling thread does not pay for them.
//
// One Observability runs at a time (it installs the global tracer): each
// benchmark run starts its own, with a store in a fresh temporary directory,
// and shuts it down at the end. Logs go to the Cloud Logging JSON sink (what
// a container gets) on /dev/null in both setups. The tracer is the
// default's: parentbased_traceidratio at the dev environment's ratio 1, so
// every span is sampled and exported (to the store too when it is on).
//
//   build/bench/store_app_bench --benchmark_enable_random_interleaving=true
//       --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//   (one line)
//
// The time is the calling thread's CPU per call (Google Benchmark's CPU
// column; the real column includes the other threads' share of the two
// cores). Every 1024 spans and 3000 log records the timer stops while the
// background threads catch up, so no call measured is a drop (a drop is
// cheaper and would flatter the figure); dropped counts what was dropped
// before the store or sink anyway.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/temp_dir_testing.h"
#include "hot_path_counts.h"
#include "tai/log/cloud_logging_json.h"
#include "tai/log/log.h"
#include "tai/observability.h"

namespace {

using namespace std::chrono_literals;

// Context switches of the calling thread: each one can leave its caches to
// the background threads.
int64_t ContextSwitches() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_nvcsw + u.ru_nivcsw;
}

// Allocations, locks and context switches of the calling thread per call,
// counted only while the timer runs.
class ThreadCounts {
 public:
  explicit ThreadCounts(benchmark::State& state) : state_(state) {}
  ~ThreadCounts() {
    ReportPerIteration(state_, before_);
    state_.counters["switches_per_1k"] =
        1000.0 * static_cast<double>(ContextSwitches() - switches_) /
        static_cast<double>(std::max<int64_t>(state_.iterations(), 1));
  }
  // Stops the timer and the counts, runs `off_clock`, starts both again.
  template <typename Fn>
  void OffClock(Fn&& off_clock) {
    state_.PauseTiming();
    const HotPathCounts paused = HotPathCounts::OfThisThread();
    const int64_t switches = ContextSwitches();
    off_clock();
    const HotPathCounts resumed = HotPathCounts::OfThisThread();
    before_.allocations += resumed.allocations - paused.allocations;
    before_.mutex_locks += resumed.mutex_locks - paused.mutex_locks;
    switches_ += ContextSwitches() - switches;
    state_.ResumeTiming();
  }

 private:
  benchmark::State& state_;
  HotPathCounts before_ = HotPathCounts::OfThisThread();
  int64_t switches_ = ContextSwitches();
};

// Waits, off the clock, until `done` holds: the background thread has
// taken most of what was queued, so the calls measured next find room.
// The sinks (the store's among them) go on working meanwhile, as in a
// service; Flush would instead run or wait for them on this thread.
template <typename Done>
void CatchUp(Done&& done) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100us);
  }
}

// A started Observability for one benchmark run, with the store on or off.
class App {
 public:
  explicit App(bool store) {
    tai::Config c;  // the defaults, not the environment's
    c.resource.service_name = "bench";
    c.metrics.prometheus_address = "127.0.0.1:0";
    c.logs.format = tai::LogFormat::kOff;  // the JSON sink below, on /dev/null
    c.store.enabled = store;
    c.store.options.path = dir_.path() + "/bench.db";
    auto obs = tai::Observability::Start(std::move(c));
    if (!obs.ok()) {
      fprintf(stderr, "%s\n", obs.status().ToString().c_str());
      abort();
    }
    obs_ = std::move(*obs);
    if (store && obs_->store() == nullptr) {
      fprintf(stderr, "store did not start: %s\n", obs_->store_status().ToString().c_str());
      abort();
    }
    null_fd_ = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    obs_->logs().AddSink(
        std::make_shared<tai::CloudLoggingJsonSink>(tai::CloudLoggingJsonOptions{.fd = null_fd_}));
  }
  ~App() {
    obs_->Shutdown();
    obs_.reset();
    ::close(null_fd_);
  }
  tai::Observability& obs() { return *obs_; }

 private:
  tai::testing::TempDir dir_;
  std::unique_ptr<tai::Observability> obs_;
  int null_fd_ = -1;
};

void BM_App_CounterAdd2Labels(benchmark::State& state) {
  App app(state.range(0) != 0);
  tai::Counter counter =
      app.obs().metrics().CreateCounter({.metric_type = "bench/requests"}).value();
  ThreadCounts counts(state);
  for (auto _ : state) counter.Add(1, {{"method", "GET"}, {"code", "200"}});
}

void BM_App_HistogramRecord2Labels(benchmark::State& state) {
  App app(state.range(0) != 0);
  tai::Histogram histogram =
      app.obs().metrics().CreateHistogram({.metric_type = "bench/latency"}).value();
  // Latency-like values from a table, as in metrics_bench.
  std::vector<double> values(4096);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = 0.5 + static_cast<double>(i * 2654435761u % 4096);
  }
  size_t i = 0;
  ThreadCounts counts(state);
  for (auto _ : state) histogram.Record(values[i++ & 4095], {{"method", "GET"}, {"code", "200"}});
}

void BM_App_Span2Attributes(benchmark::State& state) {
  App app(state.range(0) != 0);
  tai::Tracer& tracer = app.obs().tracer();
  const auto& processor = app.obs().span_processor();
  const uint64_t dropped = processor->stats().dropped;
  int n = 0;
  ThreadCounts counts(state);
  for (auto _ : state) {
    {
      tai::Span span = tracer.StartSpan("GET /users/:id", {.kind = tai::SpanKind::kServer});
      span.SetAttribute("http.request.method", "GET");
      span.SetAttribute("http.response.status_code", 200);
    }
    if (++n == 1024) {
      counts.OffClock([&] {
        CatchUp([&] {
          // A partial batch may wait for the next one: room is what counts.
          const tai::SpanProcessorStats s = processor->stats();
          return s.enqueued - s.exported - s.dropped <= 256;
        });
      });
      n = 0;
    }
  }
  state.counters["dropped"] = static_cast<double>(processor->stats().dropped - dropped);
}

void BM_App_LogInfo3Fields(benchmark::State& state) {
  App app(state.range(0) != 0);
  tai::Logger& log = app.obs().logger("bench");
  const int64_t user = 42;
  const std::string path = "/api/v1/orders";
  const uint64_t dropped = app.obs().logs().stats().dropped_queue_full;
  int n = 0;
  ThreadCounts counts(state);
  for (auto _ : state) {
    TAI_LOG_INFO(log, {{"user_id", user}, {"path", path}, {"ok", true}}, "served {} in {} us", path,
                 125);
    if (++n == 3000) {
      counts.OffClock([&] {
        CatchUp([&] {
          const tai::LogPipelineStats s = app.obs().logs().stats();
          return s.enqueued - s.exported <= 1024;
        });
      });
      n = 0;
    }
  }
  state.counters["dropped"] =
      static_cast<double>(app.obs().logs().stats().dropped_queue_full - dropped);
}

BENCHMARK(BM_App_CounterAdd2Labels)->ArgName("store")->Arg(0)->Arg(1);
BENCHMARK(BM_App_HistogramRecord2Labels)->ArgName("store")->Arg(0)->Arg(1);
BENCHMARK(BM_App_Span2Attributes)->ArgName("store")->Arg(0)->Arg(1);
BENCHMARK(BM_App_LogInfo3Fields)->ArgName("store")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();

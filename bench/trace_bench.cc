// Tracing hot path, export throughput and propagation, with baselines
// measured in the same binary (a clock read, a span id).
//
//   build/bench/trace_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "hot_path_counts.h"
#include "tai/core/clock.h"
#include "tai/trace/propagation.h"
#include "tai/trace/span_processor.h"
#include "tai/trace/trace.h"

namespace {

// Counts and forgets: measures the pipeline, not a backend.
class DiscardingSink : public tai::SpanSink {
 public:
  std::string name() const override { return "discard"; }
  tai::Status Export(const tai::SpanBatch& batch, const tai::Resource&) override {
    benchmark::DoNotOptimize(batch->size());
    return tai::Status::Ok();
  }
};

std::shared_ptr<tai::BatchSpanProcessor> DiscardingProcessor(size_t queue_size) {
  auto p = std::make_shared<tai::BatchSpanProcessor>(
      tai::Resource{}, tai::BatchSpanProcessorOptions{.queue_size = queue_size});
  p->AddSink(std::make_shared<DiscardingSink>());
  return p;
}

void BM_Baseline_MonotonicClock(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(tai::MonotonicNanos());
}
BENCHMARK(BM_Baseline_MonotonicClock);

void BM_Baseline_NewSpanId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(tai::NewSpanId());
}
BENCHMARK(BM_Baseline_NewSpanId);

// One cache line handed from this thread to another and back: what a
// sampled span's record and queue cell cost when the export thread runs on
// the other core. On a VM it depends on where the host put the two vCPUs
// (about 20 ns between hyperthreads, 200+ ns across sockets), so the
// sampled span is read against it in the same run.
void BM_Baseline_CrossCoreRoundTrip(benchmark::State& state) {
  alignas(64) std::atomic<int64_t> line{0};
  std::atomic<bool> stop{false};
  std::thread echo([&] {
    int64_t seen = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      const int64_t v = line.load(std::memory_order_acquire);
      if (v != seen && v % 2 == 1) {
        seen = v + 1;
        line.store(seen, std::memory_order_release);
      }
    }
  });
  int64_t next = 1;
  for (auto _ : state) {
    line.store(next, std::memory_order_release);
    while (line.load(std::memory_order_acquire) != next + 1) {
    }
    next += 2;
  }
  stop.store(true);
  echo.join();
}
BENCHMARK(BM_Baseline_CrossCoreRoundTrip)->UseRealTime();

// A root span the ratio sampler drops, as most requests in production, with
// error keeping on (the default) or off, bare or with two attributes set
// (what instrumentation does). Reports the calling thread's heap
// allocations and mutex locks per span: both must be 0.
void UnsampledSpan(benchmark::State& state, bool keep_errors, bool attributes) {
  tai::Tracer tracer(DiscardingProcessor(2048),
                     {.sampler = tai::ParentBasedSampler(tai::TraceIdRatioSampler(0.0)),
                      .keep_error_traces = keep_errors});
  const HotPathCounts before = HotPathCounts::OfThisThread();
  for (auto _ : state) {
    tai::Span span = tracer.StartSpan("GET /users/:id");
    if (attributes) {
      span.SetAttribute("http.request.method", "GET");
      span.SetAttribute("http.response.status_code", 200);
    }
    benchmark::DoNotOptimize(span.context());
  }
  ReportPerIteration(state, before);
}
void BM_UnsampledSpan(benchmark::State& state) { UnsampledSpan(state, false, false); }
void BM_UnsampledSpan_ErrorKeeping(benchmark::State& state) { UnsampledSpan(state, true, false); }
void BM_UnsampledSpan2Attributes(benchmark::State& state) { UnsampledSpan(state, false, true); }
// The default configuration's span.
void BM_UnsampledSpan2Attributes_ErrorKeeping(benchmark::State& state) {
  UnsampledSpan(state, true, true);
}
BENCHMARK(BM_UnsampledSpan)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_UnsampledSpan_ErrorKeeping)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_UnsampledSpan2Attributes)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_UnsampledSpan2Attributes_ErrorKeeping)->Threads(1)->Threads(2)->UseRealTime();

// A child of an unsampled request span: the per-span cost inside a trace.
void UnsampledChild(benchmark::State& state, bool keep_errors) {
  tai::Tracer tracer(DiscardingProcessor(2048), {.sampler = tai::AlwaysOffSampler(),
                                                 .keep_error_traces = keep_errors,
                                                 .error_buffer_spans = 64});
  int64_t n = 0;
  tai::Span root = tracer.StartSpan("request");
  auto scope = std::make_unique<tai::SpanScope>(root);
  for (auto _ : state) {
    {
      tai::Span span = tracer.StartSpan("db.query");
      span.SetAttribute("db.system", "postgresql");
    }
    // A new request every 32 spans keeps the per-trace buffer in its
    // normal range instead of measuring its overflow path.
    if (++n % 32 == 0) {
      scope.reset();
      root = tracer.StartSpan("request");
      scope = std::make_unique<tai::SpanScope>(root);
    }
  }
  scope.reset();
}
void BM_UnsampledChildWithAttribute(benchmark::State& state) { UnsampledChild(state, false); }
void BM_UnsampledChildWithAttribute_ErrorKeeping(benchmark::State& state) {
  UnsampledChild(state, true);
}
BENCHMARK(BM_UnsampledChildWithAttribute);
BENCHMARK(BM_UnsampledChildWithAttribute_ErrorKeeping);

// Sampled span with two attributes, ended into the batch processor; the
// time is the calling thread's. Drops are reported: they must stay 0.
void BM_SampledSpan2Attributes(benchmark::State& state) {
  auto processor = DiscardingProcessor(2048);
  tai::Tracer tracer(processor, {.sampler = tai::AlwaysOnSampler()});
  int64_t n = 0;
  const HotPathCounts before = HotPathCounts::OfThisThread();
  for (auto _ : state) {
    {
      tai::Span span = tracer.StartSpan("GET /users/:id", {.kind = tai::SpanKind::kServer});
      span.SetAttribute("http.request.method", "GET");
      span.SetAttribute("http.response.status_code", 200);
    }
    // Let the export thread empty the queue off the clock, so every span
    // measured is queued rather than dropped (a drop is cheaper).
    if (++n % 1024 == 0) {
      state.PauseTiming();
      processor->Flush(std::chrono::seconds(30));
      state.ResumeTiming();
    }
  }
  ReportPerIteration(state, before);
  processor->Flush(std::chrono::seconds(30));
  state.counters["dropped"] = static_cast<double>(processor->stats().dropped);
}
BENCHMARK(BM_SampledSpan2Attributes);

// Export thread throughput: 200,000 sampled spans from one producer, timed
// until the last is exported (the slower of producer and exporter).
void BM_ExportThroughput(benchmark::State& state) {
  constexpr int kSpans = 200'000;
  uint64_t dropped = 0;
  for (auto _ : state) {
    auto processor = DiscardingProcessor(1 << 18);
    tai::Tracer tracer(processor, {.sampler = tai::AlwaysOnSampler()});
    for (int i = 0; i < kSpans; ++i) {
      tai::Span span = tracer.StartSpan("op");
      span.SetAttribute("i", i);
    }
    processor->Flush(std::chrono::seconds(60));
    dropped += processor->stats().dropped;
    state.PauseTiming();
    processor.reset();  // joining the export thread is not export work
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
  state.counters["dropped"] = static_cast<double>(dropped);
}
BENCHMARK(BM_ExportThroughput)->Unit(benchmark::kMillisecond)->UseRealTime();

// A carrier with one reusable slot, so the figure is the propagator's work.
class OneHeaderCarrier : public tai::TextMapCarrier {
 public:
  std::string_view Get(std::string_view name) const override {
    return name == "traceparent" ? std::string_view(value_) : std::string_view();
  }
  void Set(std::string_view name, std::string_view value) override {
    if (name == "traceparent") value_.assign(value);
  }

 private:
  std::string value_;
};

void BM_TraceparentInjectExtract(benchmark::State& state) {
  tai::W3CTraceContextPropagator propagator;
  tai::PropagationContext out;
  out.span_context.trace_id = tai::NewTraceId();
  out.span_context.span_id = tai::NewSpanId();
  out.span_context.trace_flags = tai::SpanContext::kSampledFlag;
  OneHeaderCarrier carrier;
  for (auto _ : state) {
    propagator.Inject(out, carrier);
    tai::PropagationContext in;
    propagator.Extract(carrier, in);
    benchmark::DoNotOptimize(in.span_context.span_id);
  }
}
BENCHMARK(BM_TraceparentInjectExtract);

}  // namespace

BENCHMARK_MAIN();

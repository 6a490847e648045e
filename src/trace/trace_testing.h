// Test helpers for the tracing pillar: a tracer wired to an in-memory sink.
#pragma once

#include <chrono>
#include <memory>

#include "tai/trace/span_processor.h"
#include "tai/trace/span_sink.h"
#include "tai/trace/trace.h"

namespace tai::testing {

struct TracerWithSink {
  explicit TracerWithSink(TracerOptions options = {}, BatchSpanProcessorOptions batch = {})
      : sink(std::make_shared<InMemorySpanSink>()),
        processor(std::make_shared<BatchSpanProcessor>(Resource{}, batch)),
        tracer(std::make_unique<Tracer>(processor, std::move(options))) {
    processor->AddSink(sink);
  }
  // Everything ended so far, exported.
  std::vector<SpanData> Flushed() {
    processor->Flush(std::chrono::seconds(10));
    return sink->spans();
  }

  std::shared_ptr<InMemorySpanSink> sink;
  std::shared_ptr<BatchSpanProcessor> processor;
  std::unique_ptr<Tracer> tracer;
};

}  // namespace tai::testing

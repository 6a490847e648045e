// BatchSpanProcessor: the background pipeline between ended spans and the
// sinks. Ending a span pushes it onto a bounded lock-free queue (default
// 2048 spans) and returns; when the queue is full the span is dropped and
// counted, so the caller never blocks. The export thread drains the queue
// and exports a batch when 100 local traces are complete, when
// max_batch_spans spans are waiting, or when export_interval has passed
// (the original design's 100 traces / 30 s), and on Flush and Shutdown.
//
// Owned through shared_ptr by the Tracer(s) and tai::Observability.
// Thread-safe: OnEnd may be called from any number of threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/trace/span_sink.h"

namespace tai {

namespace internal {
struct SpanRecord;
}

struct BatchSpanProcessorOptions {
  size_t queue_size = 2048;
  size_t batch_traces = 100;
  size_t max_batch_spans = 512;
  std::chrono::milliseconds export_interval{30'000};
};

struct SpanProcessorStats {
  uint64_t enqueued = 0;
  uint64_t dropped = 0;   // queue full, or ended after Shutdown
  uint64_t exported = 0;  // spans handed to every sink (counted once per span)
  uint64_t batches = 0;
  uint64_t export_errors = 0;  // failed sink exports
  size_t queue_depth = 0;
};

class BatchSpanProcessor {
 public:
  BatchSpanProcessor(Resource resource, BatchSpanProcessorOptions options = {});
  ~BatchSpanProcessor();  // Shutdown with a 5 s deadline
  BatchSpanProcessor(const BatchSpanProcessor&) = delete;
  BatchSpanProcessor& operator=(const BatchSpanProcessor&) = delete;

  // Sinks added before the first export see every span; add them first.
  void AddSink(std::shared_ptr<SpanSink> sink);
  std::vector<std::shared_ptr<SpanSink>> sinks() const;

  // An empty span record, reused from an exported span when one is free.
  // Called by Tracer.
  std::unique_ptr<internal::SpanRecord> NewRecord();
  // An exported span's record, emptied, or null when none is free.
  internal::SpanRecord* TakeFreeRecord();
  // Takes back a record that will not be exported (an error-keeping buffer
  // dropping its spans), for reuse. Thread-safe.
  void Recycle(std::unique_ptr<internal::SpanRecord> record);
  // Takes the ended span; never blocks; false when it was dropped (counted).
  // Called by Tracer.
  bool OnEnd(std::unique_ptr<internal::SpanRecord> record);
  // Queues spans that ended elsewhere (the original design's UploadTraces),
  // like ended ones: never blocks; what does not fit is dropped and
  // counted. Returns how many were queued.
  size_t Submit(std::vector<SpanData> spans);

  // Exports everything ended before the call; false if `timeout` passed first.
  bool Flush(std::chrono::milliseconds timeout);
  // Flushes within `deadline`, then stops the export thread. Spans ended
  // afterwards are dropped and counted. Idempotent.
  void Shutdown(std::chrono::milliseconds deadline);

  SpanProcessorStats stats() const;
  // Per sink: {name, export errors}.
  std::vector<std::pair<std::string, uint64_t>> sink_errors() const;
  const Resource& resource() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tai

// Internal: a span while it is open, and the per-trace buffer that holds the
// ended unsampled spans of a trace until it is known whether one of them
// ended with an error (error keeping).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "tai/trace/span_data.h"

namespace tai {
class BatchSpanProcessor;
}

namespace tai::internal {

class ErrorTraceBuffer;

struct SpanRecord {
  SpanData data;
  int64_t start_mono_nanos = 0;
  // Attributes of the record's previous span, kept for their string buffers
  // when the record is reused (see ResetSpanRecord).
  Attributes spare_attributes;
  // Set for an unsampled span recorded for error keeping.
  std::shared_ptr<ErrorTraceBuffer> error_buffer;
};

// Empties a record for reuse, keeping the capacity of its strings and
// vectors (that is the point of reusing it) unless it grew unusually large.
void ResetSpanRecord(SpanRecord* record);

// What an ErrorTraceBuffer reports back to its tracer's statistics.
struct ErrorKeepingCounters {
  std::atomic<uint64_t> traces_kept{0};
  std::atomic<uint64_t> spans_kept{0};
  std::atomic<uint64_t> buffer_dropped{0};
};

// Shared by every open span of one unsampled trace in this process. Ended
// spans wait here; the first span that ends with error status sends them
// all (and every later one) to the processor. When the last span of the
// trace lets go of the buffer without an error, the held spans are dropped.
class ErrorTraceBuffer {
 public:
  // Made for a new local root; registered so that spans started on other
  // threads from the root's SpanContext find it.
  static std::shared_ptr<ErrorTraceBuffer> Create(const TraceId& trace_id,
                                                  std::shared_ptr<BatchSpanProcessor> processor,
                                                  size_t max_spans, ErrorKeepingCounters* counters);
  // The live buffer of `trace_id`, or null.
  static std::shared_ptr<ErrorTraceBuffer> Find(const TraceId& trace_id);

  ~ErrorTraceBuffer();
  ErrorTraceBuffer(const ErrorTraceBuffer&) = delete;
  ErrorTraceBuffer& operator=(const ErrorTraceBuffer&) = delete;

  // Takes an ended span of the trace. The caller moves record->error_buffer
  // out first and holds it across the call (it may be the last reference).
  void OnEnd(std::unique_ptr<SpanRecord> record);

 private:
  ErrorTraceBuffer(const TraceId& trace_id, std::shared_ptr<BatchSpanProcessor> processor,
                   size_t max_spans, ErrorKeepingCounters* counters);
  void Send(std::unique_ptr<SpanRecord> record);

  const TraceId trace_id_;
  const std::shared_ptr<BatchSpanProcessor> processor_;
  const size_t max_spans_;
  ErrorKeepingCounters* const counters_;
  std::mutex mu_;
  bool error_ = false;
  std::vector<std::unique_ptr<SpanRecord>> held_;
};

}  // namespace tai::internal

// Internal: error keeping. Every open unsampled span of one trace in this
// process holds a reference to the trace's ErrorTraceBuffer; ended spans
// wait in it. The first span that ends with error status sends them all (and
// every later one) to the processor; when the last reference goes without
// an error, the held spans are dropped.
//
// Cheap for the common case, a trace that ends clean on one thread: buffers
// and records come from per-thread pools, the buffer is registered for
// lookup in a table of the thread that made it (plain stores), references
// are counted in the buffer, and a span that ends holding the last
// reference with no error drops everything without queueing its own
// record. No lock and no allocation once the pools are warm.
//
// Buffers are never freed, only reused (a pool per thread; a shared pool,
// under a mutex, for those of threads that exited), so a lookup from
// another thread may read a buffer that is being reused: it takes a
// reference only while the count is above zero, then checks the trace id.
//
// Thread-safe. The Tracer that made a buffer must outlive its spans.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "tai/core/span_context.h"
#include "trace/span_record.h"

namespace tai {
class BatchSpanProcessor;
}

namespace tai::internal {

// What buffers report back to their tracer's statistics.
struct ErrorKeepingCounters {
  std::atomic<uint64_t> traces_kept{0};
  std::atomic<uint64_t> spans_kept{0};
  std::atomic<uint64_t> buffer_dropped{0};
  // A buffer not registered for lookup because its slots were all taken by
  // live traces (spans started on other threads from its context then
  // start their own buffer).
  std::atomic<uint64_t> lookup_evictions{0};
};

// Cache-line aligned: buffers of different threads never share a line.
class alignas(64) ErrorTraceBuffer {
 public:
  // The buffer of a new local root, with one reference (the root's),
  // registered so that spans started from its context on other threads
  // find it.
  static ErrorTraceBuffer* Create(const TraceId& trace_id, BatchSpanProcessor* processor,
                                  size_t max_spans, ErrorKeepingCounters* counters);
  // The live buffer of `trace_id` with a reference taken, or null. Looks in
  // the table of every thread that made buffers.
  static ErrorTraceBuffer* Find(const TraceId& trace_id);

  ErrorTraceBuffer(const ErrorTraceBuffer&) = delete;
  ErrorTraceBuffer& operator=(const ErrorTraceBuffer&) = delete;

  // Another span of the trace, started from a span that holds a reference.
  void AddRef() { refs_.fetch_add(1, std::memory_order_relaxed); }

  // Takes an ended span of the trace and lets go of its reference. Reads
  // the end time only when the span may still be exported.
  void EndSpan(SpanRecord* record);

 private:
  friend struct BufferPool;
  ErrorTraceBuffer() = default;
  ~ErrorTraceBuffer() = default;

  void Init(const TraceId& trace_id, BatchSpanProcessor* processor, size_t max_spans,
            ErrorKeepingCounters* counters);
  void Register();
  bool TryRef();
  void Release();
  // No reference left: the held spans go (sent after an error, else
  // dropped) and the buffer returns to this thread's pool.
  void Retire();
  void Hold(SpanRecord* record);
  void SendHeld();
  void Send(SpanRecord* record);

  std::atomic<uint32_t> refs_{0};
  std::atomic<bool> error_{false};
  // Ended spans, newest first (SpanRecord::next), at most max_spans_.
  std::atomic<SpanRecord*> held_{nullptr};
  // Read by lookups on other threads, hence atomic; written while no
  // reference exists.
  std::atomic<uint64_t> trace_high_{0};
  std::atomic<uint64_t> trace_low_{0};
  std::atomic<std::atomic<ErrorTraceBuffer*>*> registered_at_{nullptr};
  BatchSpanProcessor* processor_ = nullptr;
  size_t max_spans_ = 0;
  ErrorKeepingCounters* counters_ = nullptr;
  ErrorTraceBuffer* next_free_ = nullptr;
};

}  // namespace tai::internal

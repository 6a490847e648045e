// Internal: a span while it is open, as the tracer, the error-keeping buffer
// and the batch processor pass it between them. Owned by exactly one of
// them at a time (by raw pointer on the hot path); not synchronised.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/tick_clock.h"
#include "tai/trace/span_data.h"

namespace tai::internal {

class ErrorTraceBuffer;

// Cache-line aligned: records in use on different threads never share a line.
struct alignas(64) SpanRecord {
  SpanData data;
  // Tick-clock readings (core/tick_clock.h) of the start and end; 0 when
  // the time was given in wall nanoseconds (data.start/end_unix_nanos) or,
  // for the end, not needed. Converted when the span is exported.
  uint64_t start_ticks = 0;
  uint64_t end_ticks = 0;
  // The span's attributes are data.attributes[0, attribute_count); the
  // entries past them are left from the record's earlier spans, kept so
  // that setting an attribute reuses their key and value buffers.
  size_t attribute_count = 0;
  // Set for an unsampled span recorded for error keeping; the span holds
  // one reference to it while open.
  ErrorTraceBuffer* error_buffer = nullptr;
  // Links the record into a free list or an error-keeping buffer.
  SpanRecord* next = nullptr;
  // In an error-keeping buffer's list: the records from this one to the
  // end. Atomic because another thread may read it from a stale head.
  std::atomic<uint32_t> held_count{0};
};

// Reads the end time, unless it was given.
inline void StampEnd(SpanRecord* record) {
  if (record->data.end_unix_nanos == 0) record->end_ticks = ReadTicks();
}

// Empties a record for reuse, keeping the capacity of its strings and
// vectors (that is the point of reusing it) unless it grew unusually large.
// The fields every new span sets (ids, flags, tracestate, parent, name,
// kind, start) are left for it to overwrite.
void ResetSpanRecord(SpanRecord* record);

// Makes data what the sinks see: start/end_unix_nanos from the tick
// readings (the start mapped to wall time, the end as the start plus the
// measured duration) and the attributes cut to attribute_count.
void PrepareForExport(SpanRecord* record);

}  // namespace tai::internal

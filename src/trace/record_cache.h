// Internal: span records cached per thread, so that a span that is never
// exported (an unsampled span of a trace that ends clean) takes and returns
// its record without touching memory another thread writes. A thread keeps
// at most 64 emptied records; past that they go back to the processor's
// free list (or are freed). A thread's cache is freed when it exits.
//
// Thread-safe in the sense that each thread has its own cache.
#pragma once

#include "trace/span_record.h"

namespace tai {
class BatchSpanProcessor;
}

namespace tai::internal {

// An empty record: this thread's cache, else `processor`'s free list (when
// given), else a new one.
SpanRecord* AcquireRecord(BatchSpanProcessor* processor);

// Takes back a record that will not be exported, emptied for reuse.
void ReleaseRecord(SpanRecord* record, BatchSpanProcessor* processor);

}  // namespace tai::internal

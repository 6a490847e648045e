#include "trace/record_cache.h"

#include <algorithm>
#include <cstdint>
#include <memory>

#include "tai/trace/span_processor.h"

namespace tai::internal {
namespace {

constexpr uint32_t kMaxCachedRecords = 64;
constexpr uint32_t kRefillBatch = 8;
// After the thread's cleanup ran (a span ended by a later thread_local
// destructor): nothing more is cached.
constexpr uint32_t kClosed = UINT32_MAX;

// Trivially destructible, so that reaching it costs no initialisation
// check; the cleanup below is registered on the first release.
struct RecordCache {
  SpanRecord* head = nullptr;
  uint32_t size = 0;
  bool cleanup_registered = false;
};
constinit thread_local RecordCache t_cache;

struct RecordCacheCleanup {
  ~RecordCacheCleanup() {
    while (SpanRecord* r = t_cache.head) {
      t_cache.head = r->next;
      delete r;
    }
    t_cache.size = kClosed;
  }
};

void RegisterCleanup() {
  thread_local RecordCacheCleanup cleanup;
  (void)cleanup;
  t_cache.cleanup_registered = true;
}

// Records come back from the export thread with their cache lines in the
// other core's cache. Each span asks for the lines of the record the next
// span will take (with intent to write: PREFETCHW, a no-op on CPUs without
// it), so the transfer happens while this span runs instead of stalling
// the next one. Only addresses are computed: touching the record here
// would be the very stall this avoids.
[[gnu::target("prfchw")]] void PrefetchRecord(const SpanRecord* r) {
  const char* p = reinterpret_cast<const char*>(r);
  for (size_t offset = 0; offset < sizeof(SpanRecord); offset += 64) {
    __builtin_prefetch(p + offset, 1);
  }
}

// The attribute entries a record will reuse live in a buffer of their own;
// its address is known once the record's own lines are here.
[[gnu::target("prfchw")]] void PrefetchAttributes(const SpanRecord* r) {
  const char* p = reinterpret_cast<const char*>(r->data.attributes.data());
  const size_t bytes = std::min<size_t>(r->data.attributes.size(), 4) * sizeof(Attribute);
  for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset, 1);
}

// Caches an emptied record on this thread; the thread frees its cache when
// it exits.
void Push(RecordCache& c, SpanRecord* r) {
  if (!c.cleanup_registered) RegisterCleanup();
  r->next = c.head;
  c.head = r;
  ++c.size;
}

// Takes a few records from the processor's free list at once.
void Refill(RecordCache& c, BatchSpanProcessor* processor) {
  if (c.size == kClosed) return;
  for (uint32_t i = 0; i < kRefillBatch; ++i) {
    SpanRecord* r = processor->TakeFreeRecord();
    if (!r) return;
    Push(c, r);
  }
}

}  // namespace

SpanRecord* AcquireRecord(BatchSpanProcessor* processor) {
  RecordCache& c = t_cache;
  if (!c.head && processor) Refill(c, processor);
  if (SpanRecord* r = c.head) {
    c.head = r->next;
    r->next = nullptr;
    --c.size;
    if (c.head) PrefetchRecord(c.head);
    PrefetchAttributes(r);
    return r;
  }
  return new SpanRecord;
}

void ReleaseRecord(SpanRecord* record, BatchSpanProcessor* processor) {
  RecordCache& c = t_cache;
  if (c.size < kMaxCachedRecords) {
    ResetSpanRecord(record);
    Push(c, record);
    return;
  }
  if (processor) {
    processor->Recycle(std::unique_ptr<SpanRecord>(record));
  } else {
    delete record;
  }
}

}  // namespace tai::internal

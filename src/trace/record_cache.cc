#include "trace/record_cache.h"

#include <cstdint>
#include <memory>

#include "tai/trace/span_processor.h"

namespace tai::internal {
namespace {

constexpr uint32_t kMaxCachedRecords = 64;
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

}  // namespace

SpanRecord* AcquireRecord(BatchSpanProcessor* processor) {
  RecordCache& c = t_cache;
  if (SpanRecord* r = c.head) {
    c.head = r->next;
    r->next = nullptr;
    --c.size;
    return r;
  }
  return processor ? processor->NewRecord().release() : new SpanRecord;
}

void ReleaseRecord(SpanRecord* record, BatchSpanProcessor* processor) {
  RecordCache& c = t_cache;
  if (c.size < kMaxCachedRecords) {
    if (!c.cleanup_registered) RegisterCleanup();
    ResetSpanRecord(record);
    record->next = c.head;
    c.head = record;
    ++c.size;
    return;
  }
  if (processor) {
    processor->Recycle(std::unique_ptr<SpanRecord>(record));
  } else {
    delete record;
  }
}

}  // namespace tai::internal

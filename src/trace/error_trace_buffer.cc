#include "trace/error_trace_buffer.h"

#include <array>
#include <mutex>

#include "tai/trace/span_processor.h"
#include "trace/record_cache.h"

namespace tai::internal {
namespace {

// Each thread that makes buffers registers them in a table of its own, so
// that registering is a store into memory this thread owns. A lookup (a
// span started from a carried context on another thread) reads every
// thread's table: its cost grows with the number of such threads.
constexpr size_t kTableSlots = 256;
constexpr size_t kProbes = 4;

struct alignas(64) ThreadTable {
  std::array<std::atomic<ErrorTraceBuffer*>, kTableSlots> slots{};
  // Tables of exited threads are reused, never freed: lookups walk the list.
  std::atomic<bool> owned{true};
  ThreadTable* next = nullptr;  // fixed once published
};
std::atomic<ThreadTable*> g_tables{nullptr};

ThreadTable* ClaimTable() {
  for (ThreadTable* t = g_tables.load(std::memory_order_acquire); t; t = t->next) {
    bool owned = false;
    if (t->owned.compare_exchange_strong(owned, true, std::memory_order_acquire)) return t;
  }
  auto* table = new ThreadTable();
  table->next = g_tables.load(std::memory_order_relaxed);
  while (!g_tables.compare_exchange_weak(table->next, table, std::memory_order_release,
                                         std::memory_order_relaxed)) {
  }
  return table;
}

constexpr uint32_t kMaxPooledBuffers = 64;
constexpr uint32_t kPoolBatch = 32;

// Trivially destructible, so that reaching it costs no initialisation
// check; the cleanup below is registered on first use.
struct ThreadState {
  ThreadTable* table = nullptr;
  ErrorTraceBuffer* pool = nullptr;
  uint32_t pool_size = 0;
  bool cleanup_registered = false;
  bool exited = false;
};
constinit thread_local ThreadState t_state;

}  // namespace

// Buffers of exited threads and the overflow of busy ones. Never freed.
struct BufferPool {
  static ErrorTraceBuffer* Take() {
    ThreadState& s = t_state;
    if (!s.pool && !s.exited) Refill(s);
    if (ErrorTraceBuffer* b = s.pool) {
      s.pool = b->next_free_;
      --s.pool_size;
      return b;
    }
    return new ErrorTraceBuffer();
  }

  static void Give(ErrorTraceBuffer* b) {
    ThreadState& s = t_state;
    if (s.exited) return GiveShared(b, b);
    if (!s.cleanup_registered) RegisterCleanup(s);
    b->next_free_ = s.pool;
    s.pool = b;
    if (++s.pool_size > kMaxPooledBuffers) Spill(s, kPoolBatch);
  }

  static void OnThreadExit(ThreadState& s) {
    Spill(s, s.pool_size);
    if (s.table) s.table->owned.store(false, std::memory_order_release);
    s.table = nullptr;
    s.exited = true;
  }

 private:
  struct Cleanup {
    ~Cleanup() { OnThreadExit(t_state); }
  };
  static void RegisterCleanup(ThreadState& s) {
    thread_local Cleanup cleanup;
    (void)cleanup;
    s.cleanup_registered = true;
  }

  // Moves the first `n` pooled buffers to the shared pool.
  static void Spill(ThreadState& s, uint32_t n) {
    if (n == 0 || !s.pool) return;
    ErrorTraceBuffer* first = s.pool;
    ErrorTraceBuffer* last = first;
    uint32_t moved = 1;
    for (; moved < n && last->next_free_; ++moved) last = last->next_free_;
    s.pool = last->next_free_;
    s.pool_size -= moved;
    GiveShared(first, last);
  }

  static void GiveShared(ErrorTraceBuffer* first, ErrorTraceBuffer* last) {
    std::lock_guard<std::mutex> lock(mu());
    last->next_free_ = shared();
    shared() = first;
  }

  static void Refill(ThreadState& s) {
    std::lock_guard<std::mutex> lock(mu());
    for (uint32_t i = 0; i < kPoolBatch && shared(); ++i) {
      ErrorTraceBuffer* b = shared();
      shared() = b->next_free_;
      b->next_free_ = s.pool;
      s.pool = b;
      ++s.pool_size;
    }
  }

  static std::mutex& mu() {
    static std::mutex* m = new std::mutex();  // used until exit
    return *m;
  }
  static ErrorTraceBuffer*& shared() {
    static ErrorTraceBuffer* head = nullptr;
    return head;
  }
};

ErrorTraceBuffer* ErrorTraceBuffer::Create(const TraceId& trace_id, BatchSpanProcessor* processor,
                                           size_t max_spans, ErrorKeepingCounters* counters) {
  ErrorTraceBuffer* b = BufferPool::Take();
  b->Init(trace_id, processor, max_spans, counters);
  b->Register();
  return b;
}

void ErrorTraceBuffer::Init(const TraceId& trace_id, BatchSpanProcessor* processor,
                            size_t max_spans, ErrorKeepingCounters* counters) {
  trace_high_.store(trace_id.high(), std::memory_order_relaxed);
  trace_low_.store(trace_id.low(), std::memory_order_relaxed);
  registered_at_.store(nullptr, std::memory_order_relaxed);
  error_.store(false, std::memory_order_relaxed);
  processor_ = processor;
  max_spans_ = max_spans;
  counters_ = counters;
  next_free_ = nullptr;
  // Publishes the fields above to a lookup that takes a reference.
  refs_.store(1, std::memory_order_release);
}

// Takes the first of the trace's probe slots that holds no live buffer
// (empty, or a buffer since retired or registered elsewhere); when all hold
// live traces the first is overwritten and its trace can no longer be
// found from other threads.
void ErrorTraceBuffer::Register() {
  ThreadState& s = t_state;
  if (!s.table) {
    if (s.exited) return;
    s.table = ClaimTable();
  }
  const size_t home = trace_low_.load(std::memory_order_relaxed) & (kTableSlots - 1);
  std::atomic<ErrorTraceBuffer*>* slot = &s.table->slots[home];
  for (size_t i = 0; i < kProbes; ++i) {
    std::atomic<ErrorTraceBuffer*>* candidate = &s.table->slots[(home + i) & (kTableSlots - 1)];
    ErrorTraceBuffer* holder = candidate->load(std::memory_order_relaxed);
    if (!holder || holder->registered_at_.load(std::memory_order_relaxed) != candidate ||
        holder->refs_.load(std::memory_order_relaxed) == 0) {
      slot = candidate;
      break;
    }
    if (i + 1 == kProbes) counters_->lookup_evictions.fetch_add(1, std::memory_order_relaxed);
  }
  registered_at_.store(slot, std::memory_order_relaxed);
  slot->store(this, std::memory_order_release);
}

ErrorTraceBuffer* ErrorTraceBuffer::Find(const TraceId& trace_id) {
  const uint64_t high = trace_id.high();
  const uint64_t low = trace_id.low();
  const size_t home = low & (kTableSlots - 1);
  for (ThreadTable* t = g_tables.load(std::memory_order_acquire); t; t = t->next) {
    for (size_t i = 0; i < kProbes; ++i) {
      ErrorTraceBuffer* b =
          t->slots[(home + i) & (kTableSlots - 1)].load(std::memory_order_acquire);
      if (!b || b->trace_low_.load(std::memory_order_relaxed) != low || !b->TryRef()) continue;
      // With the reference taken the buffer cannot be reused: check that
      // it still holds this trace.
      if (b->trace_low_.load(std::memory_order_relaxed) == low &&
          b->trace_high_.load(std::memory_order_relaxed) == high) {
        return b;
      }
      b->Release();
    }
  }
  return nullptr;
}

bool ErrorTraceBuffer::TryRef() {
  uint32_t refs = refs_.load(std::memory_order_relaxed);
  while (refs != 0) {
    if (refs_.compare_exchange_weak(refs, refs + 1, std::memory_order_acquire,
                                    std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

void ErrorTraceBuffer::Release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) Retire();
}

void ErrorTraceBuffer::Retire() {
  if (error_.load(std::memory_order_acquire)) {
    SendHeld();
  } else {
    // No span holds a reference, so nothing is pushed meanwhile: a load
    // and a store instead of an exchange.
    SpanRecord* r = held_.load(std::memory_order_acquire);
    if (r) held_.store(nullptr, std::memory_order_relaxed);
    while (r) {
      SpanRecord* next = r->next;
      ReleaseRecord(r, processor_);
      r = next;
    }
  }
  BufferPool::Give(this);
}

// The order of operations here and in Hold is what keeps every span of an
// error trace: a clean span is pushed before it checks the flag, the error
// span sets the flag before it takes the held spans (all sequentially
// consistent), so each pushed span is taken by one of the two.
void ErrorTraceBuffer::EndSpan(SpanRecord* record) {
  if (record->data.status == SpanStatusCode::kError || error_.load(std::memory_order_seq_cst)) {
    StampEnd(record);
    if (!error_.exchange(true, std::memory_order_seq_cst)) {
      counters_->traces_kept.fetch_add(1, std::memory_order_relaxed);
    }
    SendHeld();
    Send(record);
    Release();
    return;
  }
  // The last open span of a trace with no error: nothing of it will be
  // exported, so its end time is not even read.
  uint32_t sole = 1;
  if (refs_.load(std::memory_order_relaxed) == 1 &&
      refs_.compare_exchange_strong(sole, 0, std::memory_order_acq_rel,
                                    std::memory_order_relaxed)) {
    ReleaseRecord(record, processor_);
    Retire();
    return;
  }
  StampEnd(record);
  Hold(record);
  if (error_.load(std::memory_order_seq_cst)) SendHeld();
  Release();
}

// The list's length is kept in its head record, so holding a span is one
// atomic operation. A head read here may be taken by an error on another
// thread meanwhile (its count is then stale), but then the exchange fails.
void ErrorTraceBuffer::Hold(SpanRecord* record) {
  SpanRecord* head = held_.load(std::memory_order_relaxed);
  do {
    const uint32_t count = head ? head->held_count.load(std::memory_order_relaxed) : 0;
    if (count >= max_spans_) {
      counters_->buffer_dropped.fetch_add(1, std::memory_order_relaxed);
      ReleaseRecord(record, processor_);
      return;
    }
    record->held_count.store(count + 1, std::memory_order_relaxed);
    record->next = head;
  } while (!held_.compare_exchange_weak(head, record, std::memory_order_seq_cst,
                                        std::memory_order_relaxed));
}

// Sends the held spans in the order they ended.
void ErrorTraceBuffer::SendHeld() {
  SpanRecord* newest_first = held_.exchange(nullptr, std::memory_order_seq_cst);
  SpanRecord* oldest_first = nullptr;
  while (newest_first) {
    SpanRecord* next = newest_first->next;
    newest_first->next = oldest_first;
    oldest_first = newest_first;
    newest_first = next;
  }
  while (oldest_first) {
    SpanRecord* next = oldest_first->next;
    oldest_first->next = nullptr;
    Send(oldest_first);
    oldest_first = next;
  }
}

void ErrorTraceBuffer::Send(SpanRecord* record) {
  counters_->spans_kept.fetch_add(1, std::memory_order_relaxed);
  record->data.kept_for_error = true;
  if (processor_) {
    processor_->OnEnd(std::unique_ptr<SpanRecord>(record));
  } else {
    ReleaseRecord(record, nullptr);
  }
}

}  // namespace tai::internal

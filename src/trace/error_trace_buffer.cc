#include <array>
#include <atomic>

#include "tai/trace/span_processor.h"
#include "trace/span_record.h"

namespace tai::internal {
namespace {

// Lookup by trace id for spans started from a carried SpanContext. A fixed
// table keeps registration to one uncontended spin lock and no allocation;
// when two live traces hash to one slot the older loses the slot, and a span
// later started from its context on another thread starts its own buffer
// (that part of the trace is then kept only for its own errors).
class BufferTable {
 public:
  void Put(const TraceId& id, const std::shared_ptr<ErrorTraceBuffer>& buffer) {
    Slot& s = SlotOf(id);
    Lock lock(s);
    s.trace_id = id;
    s.buffer = buffer;
  }
  std::shared_ptr<ErrorTraceBuffer> Get(const TraceId& id) {
    Slot& s = SlotOf(id);
    Lock lock(s);
    return s.trace_id == id ? s.buffer.lock() : nullptr;
  }
  void Remove(const TraceId& id) {
    Slot& s = SlotOf(id);
    Lock lock(s);
    if (s.trace_id == id) {
      s.trace_id = TraceId();
      s.buffer.reset();
    }
  }

 private:
  struct alignas(64) Slot {
    std::atomic_flag busy;
    TraceId trace_id;
    std::weak_ptr<ErrorTraceBuffer> buffer;
  };
  class Lock {
   public:
    explicit Lock(Slot& s) : s_(s) {
      while (s_.busy.test_and_set(std::memory_order_acquire)) s_.busy.wait(true);
    }
    ~Lock() {
      s_.busy.clear(std::memory_order_release);
      s_.busy.notify_one();
    }

   private:
    Slot& s_;
  };
  static constexpr size_t kSlots = 4096;
  Slot& SlotOf(const TraceId& id) { return slots_[id.low() & (kSlots - 1)]; }

  std::array<Slot, kSlots> slots_;
};

BufferTable& Table() {
  static BufferTable* table = new BufferTable();  // never destroyed: used at exit
  return *table;
}

}  // namespace

std::shared_ptr<ErrorTraceBuffer> ErrorTraceBuffer::Create(
    const TraceId& trace_id, std::shared_ptr<BatchSpanProcessor> processor, size_t max_spans,
    ErrorKeepingCounters* counters) {
  // Not make_shared: the table's weak_ptr must not pin the whole buffer.
  std::shared_ptr<ErrorTraceBuffer> buffer(
      new ErrorTraceBuffer(trace_id, std::move(processor), max_spans, counters));
  Table().Put(trace_id, buffer);
  return buffer;
}

std::shared_ptr<ErrorTraceBuffer> ErrorTraceBuffer::Find(const TraceId& trace_id) {
  return Table().Get(trace_id);
}

ErrorTraceBuffer::ErrorTraceBuffer(const TraceId& trace_id,
                                   std::shared_ptr<BatchSpanProcessor> processor, size_t max_spans,
                                   ErrorKeepingCounters* counters)
    : trace_id_(trace_id),
      processor_(std::move(processor)),
      max_spans_(max_spans),
      counters_(counters) {}

ErrorTraceBuffer::~ErrorTraceBuffer() {
  Table().Remove(trace_id_);
  // The trace ended without an error: its spans are not exported.
  if (processor_) {
    for (auto& record : held_) processor_->Recycle(std::move(record));
  }
}

void ErrorTraceBuffer::OnEnd(std::unique_ptr<SpanRecord> record) {
  std::vector<std::unique_ptr<SpanRecord>> to_send;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_ && record->data.status != SpanStatusCode::kError) {
      if (held_.size() < max_spans_) {
        held_.push_back(std::move(record));
      } else {
        counters_->buffer_dropped.fetch_add(1, std::memory_order_relaxed);
      }
      return;
    }
    if (!error_) {
      error_ = true;
      counters_->traces_kept.fetch_add(1, std::memory_order_relaxed);
      to_send.swap(held_);
    }
  }
  for (auto& held : to_send) Send(std::move(held));
  Send(std::move(record));
}

void ErrorTraceBuffer::Send(std::unique_ptr<SpanRecord> record) {
  counters_->spans_kept.fetch_add(1, std::memory_order_relaxed);
  record->data.kept_for_error = true;
  if (processor_) processor_->OnEnd(std::move(record));
}

}  // namespace tai::internal

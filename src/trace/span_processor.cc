#include "tai/trace/span_processor.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/thread_name.h"
#include "tai/core/clock.h"
#include "trace/span_queue.h"
#include "trace/span_record.h"

namespace tai {

using internal::SpanRecord;

struct BatchSpanProcessor::Impl {
  struct SinkState {
    std::shared_ptr<SpanSink> sink;
    std::atomic<uint64_t> errors{0};
  };

  Impl(Resource r, BatchSpanProcessorOptions o)
      : resource(std::move(r)),
        options(o),
        queue(o.queue_size),
        free_records(o.queue_size),
        // Wake the export thread each time another quarter of the ring fills.
        wake_every(std::max<size_t>(1, queue.capacity() / 4)) {
    if (options.batch_traces == 0) options.batch_traces = 1;
    if (options.max_batch_spans == 0) options.max_batch_spans = 1;
  }

  ~Impl() {
    while (SpanRecord* r = free_records.TryPop()) delete r;
  }

  void Run();
  void Wake();
  void Recycle(std::unique_ptr<SpanRecord> record);
  void Drain(size_t until);
  void Take(SpanRecord* record);
  void ExportPending();
  std::vector<SinkState*> Sinks();

  const Resource resource;
  BatchSpanProcessorOptions options;
  internal::SpanQueue<SpanRecord> queue;
  // Exported records, emptied, for the next spans: no allocation per span
  // once warm. At most queue.capacity() are kept.
  internal::SpanQueue<SpanRecord> free_records;
  const size_t wake_every;

  std::atomic<bool> shut_down{false};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> exported{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> export_errors{0};
  std::atomic<uint64_t> roots_ended{0};  // a hint to wake for batch_traces

  mutable std::mutex sinks_mu;
  std::vector<std::unique_ptr<SinkState>> sinks;  // never removed

  std::mutex mu;  // guards the fields below
  std::condition_variable wake;
  std::condition_variable flushed;
  bool wake_requested = false;
  bool stopping = false;
  size_t flush_target = 0;      // queue position every flush so far waits for
  size_t exported_through = 0;  // queue position exported so far
  std::thread thread;

  // Export thread only.
  std::vector<std::unique_ptr<SpanRecord>> pending;
  size_t pending_roots = 0;
  int64_t last_export_mono = 0;
};

void BatchSpanProcessor::Impl::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu);
    wake_requested = true;
  }
  wake.notify_one();
}

std::vector<BatchSpanProcessor::Impl::SinkState*> BatchSpanProcessor::Impl::Sinks() {
  std::lock_guard<std::mutex> lock(sinks_mu);
  std::vector<SinkState*> out;
  out.reserve(sinks.size());
  for (auto& s : sinks) out.push_back(s.get());
  return out;
}

void BatchSpanProcessor::Impl::Take(SpanRecord* record) {
  internal::PrepareForExport(record);
  if (record->data.local_root()) ++pending_roots;
  pending.emplace_back(record);
  if (pending_roots >= options.batch_traces || pending.size() >= options.max_batch_spans) {
    ExportPending();
  }
}

// Pops everything published; with `until` past what is published, waits for
// producers that claimed a cell to finish writing it (a few stores away).
void BatchSpanProcessor::Impl::Drain(size_t until) {
  for (;;) {
    if (SpanRecord* record = queue.TryPop()) {
      Take(record);
    } else if (queue.popped() < until) {
      std::this_thread::yield();
    } else {
      return;
    }
  }
}

void BatchSpanProcessor::Impl::ExportPending() {
  last_export_mono = MonotonicNanos();
  if (pending.empty()) return;
  auto spans = std::make_shared<std::vector<SpanData>>();
  spans->reserve(pending.size());
  for (auto& record : pending) spans->push_back(std::move(record->data));
  std::vector<SpanData>* buffers = spans.get();
  SpanBatch batch = std::move(spans);
  for (SinkState* s : Sinks()) {
    Status status;
    try {
      status = s->sink->Export(batch, resource);
    } catch (const std::exception& e) {
      status = InternalError(std::string("span sink threw: ") + e.what());
    } catch (...) {
      status = InternalError("span sink threw");
    }
    if (!status.ok()) {
      s->errors.fetch_add(1, std::memory_order_relaxed);
      export_errors.fetch_add(1, std::memory_order_relaxed);
    }
  }
  exported.fetch_add(batch->size(), std::memory_order_relaxed);
  batches.fetch_add(1, std::memory_order_relaxed);
  // When no sink kept the batch, its strings and vectors go back into the
  // records they came from, to be reused.
  const bool sole_owner = batch.use_count() == 1;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (sole_owner) std::swap(pending[i]->data, (*buffers)[i]);
    Recycle(std::move(pending[i]));
  }
  pending.clear();
  pending_roots = 0;
}

void BatchSpanProcessor::Impl::Recycle(std::unique_ptr<SpanRecord> record) {
  internal::ResetSpanRecord(record.get());
  if (free_records.TryPush(record.get()) >= 0) record.release();
}

void BatchSpanProcessor::Impl::Run() {
  last_export_mono = MonotonicNanos();
  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    const auto interval =
        std::chrono::duration_cast<std::chrono::nanoseconds>(options.export_interval);
    const int64_t due = last_export_mono + interval.count();
    const int64_t wait_nanos = std::max<int64_t>(0, due - MonotonicNanos());
    wake.wait_for(lock, std::chrono::nanoseconds(wait_nanos),
                  [&] { return wake_requested || stopping || flush_target > exported_through; });
    wake_requested = false;
    const bool stop = stopping;
    const size_t target = flush_target;
    lock.unlock();

    Drain(target);
    if (target > exported_through || MonotonicNanos() >= due) ExportPending();

    lock.lock();
    if (pending.empty()) exported_through = std::max(exported_through, queue.popped());
    flushed.notify_all();
    if (stop) return;
  }
}

BatchSpanProcessor::BatchSpanProcessor(Resource resource, BatchSpanProcessorOptions options)
    : impl_(std::make_unique<Impl>(std::move(resource), options)) {
  impl_->thread = std::thread([impl = impl_.get()] {
    internal::NameThisThread("tai-spans");
    impl->Run();
  });
}

BatchSpanProcessor::~BatchSpanProcessor() { Shutdown(std::chrono::seconds(5)); }

void BatchSpanProcessor::AddSink(std::shared_ptr<SpanSink> sink) {
  if (!sink) return;
  std::lock_guard<std::mutex> lock(impl_->sinks_mu);
  auto state = std::make_unique<Impl::SinkState>();
  state->sink = std::move(sink);
  impl_->sinks.push_back(std::move(state));
}

std::vector<std::shared_ptr<SpanSink>> BatchSpanProcessor::sinks() const {
  std::lock_guard<std::mutex> lock(impl_->sinks_mu);
  std::vector<std::shared_ptr<SpanSink>> out;
  for (auto& s : impl_->sinks) out.push_back(s->sink);
  return out;
}

void BatchSpanProcessor::Recycle(std::unique_ptr<SpanRecord> record) {
  impl_->Recycle(std::move(record));
}

std::unique_ptr<SpanRecord> BatchSpanProcessor::NewRecord() {
  if (SpanRecord* r = TakeFreeRecord()) return std::unique_ptr<SpanRecord>(r);
  return std::make_unique<SpanRecord>();
}

SpanRecord* BatchSpanProcessor::TakeFreeRecord() { return impl_->free_records.TryPop(); }

bool BatchSpanProcessor::OnEnd(std::unique_ptr<SpanRecord> record) {
  Impl& impl = *impl_;
  if (impl.shut_down.load(std::memory_order_relaxed)) {
    impl.dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const bool root = record->data.local_root();
  SpanRecord* raw = record.release();
  const int64_t pos = impl.queue.TryPush(raw);
  if (pos < 0) {
    delete raw;
    impl.dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  bool wake = (static_cast<size_t>(pos + 1) & (impl.wake_every - 1)) == 0;
  if (root) {
    const uint64_t roots = impl.roots_ended.fetch_add(1, std::memory_order_relaxed) + 1;
    wake = wake || roots % impl.options.batch_traces == 0;
  }
  if (wake) impl.Wake();
  return true;
}

size_t BatchSpanProcessor::Submit(std::vector<SpanData> spans) {
  size_t queued = 0;
  for (SpanData& span : spans) {
    std::unique_ptr<SpanRecord> record = NewRecord();
    record->data = std::move(span);
    record->attribute_count = record->data.attributes.size();
    queued += OnEnd(std::move(record)) ? 1 : 0;
  }
  return queued;
}

bool BatchSpanProcessor::Flush(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const size_t target = impl_->queue.pushed();
  bool done;
  {
    std::unique_lock<std::mutex> lock(impl_->mu);
    if (impl_->stopping) return impl_->exported_through >= target;
    impl_->flush_target = std::max(impl_->flush_target, target);
    impl_->wake.notify_one();
    done = impl_->flushed.wait_until(lock, deadline,
                                     [&] { return impl_->exported_through >= target; });
  }
  for (Impl::SinkState* s : impl_->Sinks()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!s->sink->Flush(std::max(left, std::chrono::milliseconds(0))).ok()) done = false;
  }
  return done;
}

void BatchSpanProcessor::Shutdown(std::chrono::milliseconds deadline) {
  if (impl_->shut_down.exchange(true)) return;
  Flush(deadline);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
  // Whatever the deadline left behind (a slow sink) is dropped, and counted.
  while (SpanRecord* record = impl_->queue.TryPop()) {
    delete record;
    impl_->dropped.fetch_add(1, std::memory_order_relaxed);
  }
  impl_->dropped.fetch_add(impl_->pending.size(), std::memory_order_relaxed);
  impl_->pending.clear();
}

SpanProcessorStats BatchSpanProcessor::stats() const {
  const Impl& impl = *impl_;
  const size_t pushed = impl.queue.pushed();
  const size_t popped = impl.queue.popped();
  return SpanProcessorStats{
      .enqueued = pushed,
      .dropped = impl.dropped.load(std::memory_order_relaxed),
      .exported = impl.exported.load(std::memory_order_relaxed),
      .batches = impl.batches.load(std::memory_order_relaxed),
      .export_errors = impl.export_errors.load(std::memory_order_relaxed),
      .queue_depth = pushed > popped ? pushed - popped : 0,
  };
}

std::vector<std::pair<std::string, uint64_t>> BatchSpanProcessor::sink_errors() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (auto* s : impl_->Sinks()) {
    out.emplace_back(s->sink->name(), s->errors.load(std::memory_order_relaxed));
  }
  return out;
}

const Resource& BatchSpanProcessor::resource() const { return impl_->resource; }

}  // namespace tai

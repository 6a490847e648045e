#include "tai/log/log_pipeline.h"

#include <algorithm>
#include <bit>
#include <exception>
#include <new>

#include "core/thread_name.h"
#include "log/pipeline_impl.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

// Buffers larger than this are released after export rather than kept in
// the ring, so one huge message does not pin memory for good.
constexpr size_t kKeepBufferBytes = 16 * 1024;

// Slots per chunk of the ring: 256 records (48 KiB) are allocated at
// once, so the first lap through a chunk costs one allocation per 256 calls.
constexpr uint64_t kChunkSlots = 256;

}  // namespace

std::vector<std::string> DefaultRedactedKeys() {
  return {"password", "passwd",  "secret", "token",      "authorization", "api_key",
          "apikey",   "api-key", "cookie", "credential", "private_key"};
}

LogPipeline::Impl::Impl(const LogPipelineOptions& options) : redactor(options.redacted_keys) {
  capacity = std::bit_ceil(std::max<uint64_t>(options.queue_capacity, 2));
  mask = capacity - 1;
  max_batch = std::max<size_t>(options.max_batch, 1);
  // Producers wake a sleeping drainer every four batches' worth of records
  // (at most a quarter of the ring): fewer wake-ups, fuller batches, and
  // less time the writer takes from the producers' cores. A quiet queue is
  // drained every export_interval anyway.
  uint64_t wake_every = std::bit_floor(std::max<uint64_t>(max_batch * 4, 1));
  wake_every = std::min(wake_every, std::max<uint64_t>(capacity / 4, 1));
  wake_mask = wake_every - 1;
  max_message_bytes = std::max<size_t>(options.max_message_bytes, 64);
  rate_limit_per_site = options.rate_limit_per_site;
  global_level = options.level;
  chunk_slots = std::min(capacity, kChunkSlots);
  chunk_shift = static_cast<uint64_t>(std::countr_zero(chunk_slots));
  chunk_mask = chunk_slots - 1;
  chunks = std::make_unique<std::atomic<Slot*>[]>(capacity / chunk_slots);
  batch.resize(max_batch);
}

LogPipeline::Impl::~Impl() {
  for (uint64_t i = 0; i < capacity / chunk_slots; ++i) delete[] chunks[i].load();
}

LogPipeline::Impl::Slot* LogPipeline::Impl::AllocateChunk(uint64_t chunk_index) {
  Slot* fresh = new (std::nothrow) Slot[chunk_slots];
  if (fresh == nullptr) return nullptr;
  const uint64_t first = chunk_index * chunk_slots;
  for (uint64_t i = 0; i < chunk_slots; ++i)
    fresh[i].seq.store(first + i, std::memory_order_relaxed);
  Slot* expected = nullptr;
  if (chunks[chunk_index].compare_exchange_strong(expected, fresh, std::memory_order_acq_rel,
                                                  std::memory_order_acquire)) {
    chunks_allocated.fetch_add(1, std::memory_order_relaxed);
    return fresh;
  }
  delete[] fresh;  // another producer published this chunk first
  return expected;
}

void LogPipeline::Impl::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu);
    wake = true;
  }
  cv.notify_one();
}

size_t LogPipeline::Impl::DrainBatchLocked(const Resource& resource) {
  uint64_t pos = dequeue_pos.load(std::memory_order_relaxed);
  size_t n = 0;
  while (n < max_batch) {
    Slot* slot = ConsumerSlot(pos);
    if (slot == nullptr) break;                                       // never reached by a producer
    if (slot->seq.load(std::memory_order_acquire) != pos + 1) break;  // empty or not yet published
    std::swap(batch[n], slot->record);
    slot->seq.store(pos + capacity, std::memory_order_release);
    ++pos;
    ++n;
  }
  if (n == 0) return 0;
  // The records are out of the ring; Flush (which holds drain_mu while it
  // reads this) knows they are exported once this call returns.
  dequeue_pos.store(pos, std::memory_order_release);
  size_t redacted = 0;
  for (size_t i = 0; i < n; ++i) redacted += redactor.Apply(batch[i]);
  if (redacted) redacted_fields.fetch_add(redacted, std::memory_order_relaxed);
  ExportLocked({resource, std::span<const LogRecord>(batch.data(), n)});
  for (size_t i = 0; i < n; ++i) {
    LogRecord& r = batch[i];
    if (r.message.capacity() > kKeepBufferBytes) std::string().swap(r.message);
    r.message.clear();
    if (r.field_data().capacity() > kKeepBufferBytes) r.set_field_data(std::string());
    r.ClearFields();
  }
  exported.fetch_add(n, std::memory_order_relaxed);
  return n;
}

void LogPipeline::Impl::ExportLocked(const LogBatch& out) {
  for (const auto& sink : sinks) {
    Status st;
    try {
      st = sink->Export(out);
    } catch (const std::exception& e) {
      st = InternalError(std::string("log sink threw: ") + e.what());
    } catch (...) {
      st = InternalError("log sink threw");
    }
    if (!st.ok()) sink_errors.fetch_add(1, std::memory_order_relaxed);
  }
}

void LogPipeline::Impl::ReportDropsLocked(const Resource& resource, bool force) {
  const uint64_t dropped = dropped_queue_full.load(std::memory_order_relaxed);
  if (dropped == reported_drops) return;
  const int64_t now = WallNanos();
  if (!force && now - last_drop_report_nanos < 1'000'000'000) return;
  LogRecord& r = drop_notice;
  r.time_unix_nanos = now;
  r.level = LogLevel::kWarn;
  r.logger_name = InternLoggerName("tai.log");
  r.message = "dropped " + std::to_string(dropped - reported_drops) +
              " log records: the queue of " + std::to_string(capacity) + " was full";
  r.ClearFields();
  r.AddFields({{"dropped", dropped - reported_drops}, {"dropped_total", dropped}});
  reported_drops = dropped;
  last_drop_report_nanos = now;
  ExportLocked({resource, std::span<const LogRecord>(&r, 1)});
}

LogPipeline::LogPipeline(LogPipelineOptions options, std::shared_ptr<const Resource> resource)
    : options_(std::move(options)),
      resource_(resource ? std::move(resource) : std::make_shared<const Resource>()),
      impl_(std::make_unique<Impl>(options_)) {
  default_logger_ = &GetLogger("");
}

LogPipeline::~LogPipeline() { Stop(std::chrono::seconds(1)); }

Logger& LogPipeline::GetLogger(std::string_view name) {
  std::lock_guard<std::mutex> lock(impl_->loggers_mu);
  auto it = impl_->loggers.find(name);
  if (it != impl_->loggers.end()) return *it->second;
  std::unique_ptr<Logger> logger(new Logger(this, name, impl_->global_level));
  logger->UpdateEffective(impl_->global_level);
  Logger& ref = *logger;
  impl_->loggers.emplace(std::string(name), std::move(logger));
  return ref;
}

void LogPipeline::SetLevel(LogLevel level) {
  std::lock_guard<std::mutex> lock(impl_->loggers_mu);
  impl_->global_level = level;
  for (auto& [name, logger] : impl_->loggers) logger->UpdateEffective(level);
}

LogLevel LogPipeline::level() const {
  std::lock_guard<std::mutex> lock(impl_->loggers_mu);
  return impl_->global_level;
}

Status LogPipeline::SetLevels(std::string_view spec) {
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(auto items, ParseLogLevels(spec),
                                    "log levels '" + std::string(spec) + "'");
  for (const auto& [name, level] : items) {
    if (name.empty()) {
      SetLevel(level);
    } else {
      GetLogger(name).SetLevel(level);
    }
  }
  return Status::Ok();
}

std::string LogPipeline::Levels() const {
  std::lock_guard<std::mutex> lock(impl_->loggers_mu);
  std::string spec(LogLevelName(impl_->global_level));
  for (const auto& [name, logger] : impl_->loggers) {
    if (auto own = logger->own_level(); own && !name.empty()) {
      spec += ',';
      spec += name;
      spec += '=';
      spec += LogLevelName(*own);
    }
  }
  for (char& c : spec) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return spec;
}

void LogPipeline::AddSink(std::shared_ptr<LogSink> sink) {
  std::lock_guard<std::mutex> lock(impl_->drain_mu);
  impl_->sinks.push_back(std::move(sink));
}

Status LogPipeline::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->thread.joinable()) return FailedPreconditionError("log pipeline already started");
  if (impl_->stop) return FailedPreconditionError("log pipeline already stopped");
  impl_->thread = std::thread([this] {
    internal::NameThisThread("tai-logs");
    Impl& impl = *impl_;
    for (;;) {
      size_t n;
      {
        std::lock_guard<std::mutex> drain(impl.drain_mu);
        n = impl.DrainBatchLocked(*resource_);
        impl.ReportDropsLocked(*resource_, /*force=*/false);
      }
      if (n == impl.max_batch) continue;  // probably more waiting
      std::unique_lock<std::mutex> state(impl.mu);
      if (impl.stop) break;
      if (impl.wake) {
        impl.wake = false;
        continue;
      }
      impl.sleeping.store(true, std::memory_order_relaxed);
      impl.cv.wait_for(state, options_.export_interval, [&] { return impl.stop || impl.wake; });
      impl.sleeping.store(false, std::memory_order_relaxed);
      impl.wake = false;
    }
  });
  return Status::Ok();
}

Status LogPipeline::Flush(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const uint64_t target = impl_->enqueue_pos.load(std::memory_order_acquire);
  std::unique_lock<std::mutex> drain(impl_->drain_mu, std::try_to_lock);
  while (!drain.owns_lock()) {
    // The background thread (or another flush) is exporting; its batch may
    // hold a slow sink, so wait politely up to the deadline.
    if (std::chrono::steady_clock::now() >= deadline) {
      return DeadlineExceededError("log flush: drainer busy past the deadline");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    drain.try_lock();
  }
  while (impl_->dequeue_pos.load(std::memory_order_relaxed) < target) {
    if (impl_->DrainBatchLocked(*resource_) == 0) {
      // A producer has claimed the next slot and not yet published it.
      if (std::chrono::steady_clock::now() >= deadline) {
        return DeadlineExceededError("log flush: records still being written at the deadline");
      }
      std::this_thread::yield();
    }
  }
  impl_->ReportDropsLocked(*resource_, /*force=*/true);
  Status result;
  for (const auto& sink : impl_->sinks) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    Status st = sink->Flush(std::max(left, std::chrono::milliseconds(0)));
    if (!st.ok()) {
      impl_->sink_errors.fetch_add(1, std::memory_order_relaxed);
      if (result.ok()) result = st.WithContext("log sink " + sink->name());
    }
  }
  return result;
}

void LogPipeline::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard<std::mutex> lock(impl_->loggers_mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
    for (auto& [name, logger] : impl_->loggers) logger->UpdateEffective(impl_->global_level);
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  (void)Flush(std::max(left, std::chrono::milliseconds(0)));
  impl_->drained_for_good.store(true, std::memory_order_release);
}

LogPipelineStats LogPipeline::stats() const {
  const Impl& i = *impl_;
  return {
      .enqueued = i.enqueue_pos.load(std::memory_order_relaxed),
      .exported = i.exported.load(std::memory_order_relaxed),
      .dropped_queue_full = i.dropped_queue_full.load(std::memory_order_relaxed),
      .suppressed_rate_limit = i.suppressed_rate_limit.load(std::memory_order_relaxed),
      .dropped_at_shutdown = i.drained_for_good.load(std::memory_order_acquire)
                                 ? i.enqueue_pos.load(std::memory_order_acquire) -
                                       i.dequeue_pos.load(std::memory_order_acquire)
                                 : 0,
      .sink_errors = i.sink_errors.load(std::memory_order_relaxed),
      .redacted_fields = i.redacted_fields.load(std::memory_order_relaxed),
      .queue_slots_allocated = i.chunks_allocated.load(std::memory_order_relaxed) * i.chunk_slots};
}

}  // namespace tai

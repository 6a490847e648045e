// Internal: the state behind LogPipeline, shared by the logger's call path
// (log.cc) and the drainer (log_pipeline.cc).
//
// The queue is Dmitry Vyukov's bounded MPMC ring with one consumer at a
// time: slot i of lap L is free for a producer when its sequence is
// i + L*capacity and holds a published record when it is one more. A
// producer claims a position with a CAS on enqueue_pos, fills the slot and
// publishes with a release store of the sequence; the drainer (the
// background thread, or a thread in Flush, serialised by drain_mu) swaps the
// record out for a cleared one from its batch and frees the slot. Records
// keep their string capacity as they go round, so a warm queue allocates
// nothing.
//
// The ring is allocated a chunk at a time, when a producer first reaches
// the chunk: a queue sized for bursts (up to 2^20 records of a few hundred
// bytes each) costs only what the bursts have used, not its whole size at
// start. A chunk is published with a release CAS after its slots' sequences
// are set, so a producer or the drainer that loads it (acquire) sees slot i
// of lap 0 free, exactly as if the ring had been built whole.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log/redactor.h"
#include "tai/log/log_pipeline.h"

namespace tai {

struct LogPipeline::Impl {
  struct alignas(64) Slot {
    std::atomic<uint64_t> seq{0};
    LogRecord record;
  };

  explicit Impl(const LogPipelineOptions& options);
  ~Impl();

  // Producer side. Claim returns nullptr when the queue is full (or the
  // chunk holding the next slot cannot be allocated).
  Slot* Claim(uint64_t* pos) {
    uint64_t p = enqueue_pos.load(std::memory_order_relaxed);
    for (;;) {
      Slot* slot = ProducerSlot(p);
      if (slot == nullptr) return nullptr;
      uint64_t seq = slot->seq.load(std::memory_order_acquire);
      auto diff = static_cast<int64_t>(seq - p);
      if (diff == 0) {
        if (enqueue_pos.compare_exchange_weak(p, p + 1, std::memory_order_relaxed)) {
          *pos = p;
          return slot;
        }
      } else if (diff < 0) {
        return nullptr;
      } else {
        p = enqueue_pos.load(std::memory_order_relaxed);
      }
    }
  }
  void Publish(Slot* slot, uint64_t pos) {
    slot->seq.store(pos + 1, std::memory_order_release);
    if ((pos & wake_mask) == wake_mask && sleeping.load(std::memory_order_relaxed)) Wake();
  }
  void Wake();

  // The slot for queue position `pos`, allocating its chunk when this is the
  // first visit; nullptr if that allocation fails.
  Slot* ProducerSlot(uint64_t pos) {
    const uint64_t index = pos & mask;
    Slot* chunk = chunks[index >> chunk_shift].load(std::memory_order_acquire);
    if (chunk == nullptr) chunk = AllocateChunk(index >> chunk_shift);
    return chunk == nullptr ? nullptr : &chunk[index & chunk_mask];
  }
  // The slot for `pos` if its chunk exists; nullptr means nothing was ever
  // published there.
  Slot* ConsumerSlot(uint64_t pos) const {
    const uint64_t index = pos & mask;
    Slot* chunk = chunks[index >> chunk_shift].load(std::memory_order_acquire);
    return chunk == nullptr ? nullptr : &chunk[index & chunk_mask];
  }
  Slot* AllocateChunk(uint64_t chunk_index);

  // Drainer side; drain_mu held. Exports up to max_batch records; returns
  // how many.
  size_t DrainBatchLocked(const Resource& resource);
  // Hands every sink one WARN record from the logger "tai.log" saying how
  // many records the full queue dropped since the last such notice, so
  // that drops show in the log stream itself. Unless `force`, at most one
  // notice a second. drain_mu held.
  void ReportDropsLocked(const Resource& resource, bool force);
  void ExportLocked(const LogBatch& batch);

  // Hot: written by producers.
  alignas(64) std::atomic<uint64_t> enqueue_pos{0};
  std::atomic<uint64_t> dropped_queue_full{0};
  std::atomic<uint64_t> suppressed_rate_limit{0};
  // Read by producers, written rarely.
  alignas(64) std::atomic<bool> sleeping{false};
  std::unique_ptr<std::atomic<Slot*>[]> chunks;
  uint64_t capacity = 0;
  uint64_t mask = 0;
  uint64_t chunk_slots = 0;
  uint64_t chunk_shift = 0;
  uint64_t chunk_mask = 0;
  // Chunks allocated so far, for stats.
  std::atomic<uint64_t> chunks_allocated{0};
  uint64_t wake_mask = 0;
  size_t max_batch = 0;
  size_t max_message_bytes = 0;
  uint32_t rate_limit_per_site = 0;
  // Written by the drainer.
  alignas(64) std::atomic<uint64_t> dequeue_pos{0};
  std::atomic<uint64_t> exported{0};
  std::atomic<uint64_t> sink_errors{0};
  std::atomic<uint64_t> redacted_fields{0};
  // Set once Stop has drained: whatever is in the ring after that (records
  // still queued at the deadline, or claimed by a call that raced with
  // Stop) stays there, counted as dropped at shutdown.
  std::atomic<bool> drained_for_good{false};

  // One drainer at a time; guards the members below. (A plain mutex: TSan
  // does not see timed locks taken with pthread_mutex_clocklock.)
  std::mutex drain_mu;
  std::vector<std::shared_ptr<LogSink>> sinks;
  std::vector<LogRecord> batch;
  internal::Redactor redactor;
  LogRecord drop_notice;
  uint64_t reported_drops = 0;
  int64_t last_drop_report_nanos = 0;

  std::mutex loggers_mu;  // guards loggers and level changes
  std::map<std::string, std::unique_ptr<Logger>, std::less<>> loggers;
  LogLevel global_level;
  bool stopped = false;

  std::mutex mu;  // guards the thread's state
  std::condition_variable cv;
  bool stop = false;
  bool wake = false;
  std::thread thread;
};

}  // namespace tai

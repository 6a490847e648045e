// Internal: the hot-path side of one histogram series.
//
// Every recording thread gets a shard of its own (by its thread slot, see
// detail::ThreadSlot) and is its only writer, so a record is plain loads and
// stores on memory no other thread writes: no atomic read-modify-write, no
// fence. Threads past kOwnedSlots share per-CPU shards, owned for the few
// nanoseconds of a record by swapping a `busy` flag.
//
// Shards are cumulative and never reset; the collector reads them while
// writers go on. A shard changes shape (its scale drops when values span
// more than its 256-bucket ring) under a sequence counter, and the reader
// retries when one happened during its read. Between such changes a read
// may miss a record still being written: it shows up at the next one.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "tai/metrics/histogram_data.h"

namespace tai::internal {

class HistogramRecorder {
 public:
  // Empty `explicit_bounds`: exponential buckets from `max_scale` down.
  HistogramRecorder(std::vector<double> explicit_bounds, int max_scale);
  ~HistogramRecorder();
  HistogramRecorder(const HistogramRecorder&) = delete;
  HistogramRecorder& operator=(const HistogramRecorder&) = delete;

  // Finite values only (the caller rejects the rest). Reached through
  // detail::RecordHistogram (metrics.h), which it inlines into.
  void Record(double value);
  // Adds everything recorded so far into `out` (which has this recorder's layout).
  void ReadInto(HistogramData& out) const;

  static constexpr int kRingBits = 8;
  static constexpr int32_t kRingSize = 1 << kRingBits;
  static constexpr int kBlockSlots = 32;
  static constexpr int kBlocks = 16;
  static constexpr int kOwnedSlots = kBlockSlots * kBlocks;

 private:
  struct Ring;
  struct Shard;
  struct Block;
  Shard* NewShard(double first_value) const;
  // The calling thread's shard, or nullptr before its first record.
  Shard* OwnedShard(int slot);
  [[gnu::noinline]] Shard* MakeOwnedShard(int slot, double first_value);
  Shard* SharedShard(unsigned cpu, double first_value);

  const std::vector<double> bounds_;
  const bool exponential_;  // no explicit bounds
  const int max_scale_;
  const unsigned cpu_mask_;
  std::atomic<Block*> blocks_[kBlocks];
  std::unique_ptr<std::atomic<Shard*>[]> shared_;  // per CPU, for threads past kOwnedSlots
};

}  // namespace tai::internal

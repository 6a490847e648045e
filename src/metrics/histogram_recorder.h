// Internal: the hot-path side of one histogram series.
//
// Writes go to per-CPU shards. A writer owns a shard for the few
// nanoseconds of a record by swapping its `busy` flag; a shard found busy
// (its owner was preempted mid-record on this CPU) is skipped for the next
// one, so nobody waits. Owning the shard lets the record update count, sum,
// min, max, the shifted moments and a bucket with plain stores: one atomic
// exchange in all, where lock-free fields would need five.
//
// Each shard holds what arrived since the last drain, in a ring of 256
// exponential buckets whose scale drops when the values span too much; the
// collector drains shards into the series' cumulative HistogramData and
// resets them, so a shard's scale recovers every interval.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "tai/histogram_data.h"

namespace tai::internal {

class HistogramRecorder {
 public:
  // Empty `explicit_bounds`: exponential buckets from `max_scale` down.
  HistogramRecorder(std::vector<double> explicit_bounds, int max_scale);
  ~HistogramRecorder();
  HistogramRecorder(const HistogramRecorder&) = delete;
  HistogramRecorder& operator=(const HistogramRecorder&) = delete;

  // Finite values only (the caller rejects the rest).
  void Record(double value);
  // Moves every shard's contents into `cumulative` and empties the shards.
  void DrainInto(HistogramData& cumulative);

  static constexpr int kRingBits = 8;
  static constexpr int32_t kRingSize = 1 << kRingBits;

 private:
  struct Ring;
  struct Shard;
  Shard* ShardFor(unsigned slot);
  Shard* Claim();

  const std::vector<double> bounds_;
  const int max_scale_;
  const unsigned mask_;
  std::unique_ptr<std::atomic<Shard*>[]> shards_;
};

}  // namespace tai::internal

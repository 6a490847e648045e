// Implementation detail of metrics.h (not API): the per-CPU cells behind a
// counter series. Each cell sits on its own cache line, so an add is one
// relaxed fetch_add on a line no other CPU is writing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tai/metrics/detail/cpu_slot.h"

namespace tai::detail {

inline constexpr size_t kCacheLine = 64;

template <typename T>
struct alignas(kCacheLine) SumCell {
  std::atomic<T> value{0};
};

template <typename T>
class SumCells {
 public:
  SumCells() : mask_(ShardCount() - 1), cells_(new SumCell<T>[ShardCount()]) {}

  SumCell<T>* cells() const { return cells_.get(); }
  uint32_t mask() const { return static_cast<uint32_t>(mask_); }

  void Add(T v) { cells_[CurrentCpuSlot() & mask_].value.fetch_add(v, std::memory_order_relaxed); }
  // Sum over cells; concurrent adds may or may not be included.
  T Sum() const {
    T total = 0;
    for (size_t i = 0; i <= mask_; ++i) total += cells_[i].value.load(std::memory_order_relaxed);
    return total;
  }

 private:
  size_t mask_;
  std::unique_ptr<SumCell<T>[]> cells_;
};

}  // namespace tai::detail

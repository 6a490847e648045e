// Internal: a bounded queue of pointers, lock-free for any number of
// producers and consumers: a ring of sequence-numbered cells (Vyukov's
// bounded queue). A full ring refuses the push and an empty one the pop at
// once, so no caller ever waits. Carries ended spans to the export thread,
// and emptied span records back to the threads that start spans.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tai::internal {

template <typename T>
class SpanQueue {
 public:
  // The capacity is `capacity` rounded up to a power of two.
  explicit SpanQueue(size_t capacity)
      : mask_(std::bit_ceil(capacity < 2 ? size_t{2} : capacity) - 1), cells_(new Cell[mask_ + 1]) {
    for (size_t i = 0; i <= mask_; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }

  size_t capacity() const { return mask_ + 1; }

  // Returns the position taken (the count of pushes before it), or -1 when full.
  [[gnu::target("prfchw")]] int64_t TryPush(T* value) {
    size_t pos = push_pos_.load(std::memory_order_relaxed);
    // The consumer wrote the cells ahead when it emptied them: asking for
    // their line now hides the transfer behind the next few pushes.
    __builtin_prefetch(&cells_[(pos + kPrefetchAhead) & mask_], 1);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      const size_t seq = cell.sequence.load(std::memory_order_acquire);
      const auto diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
      if (diff == 0) {
        if (push_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          cell.value = value;
          cell.sequence.store(pos + 1, std::memory_order_release);
          return static_cast<int64_t>(pos);
        }
      } else if (diff < 0) {
        return -1;
      } else {
        pos = push_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  // Null when empty (or when the next cell is claimed but not yet written).
  T* TryPop() {
    size_t pos = pop_pos_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      const size_t seq = cell.sequence.load(std::memory_order_acquire);
      const auto diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos + 1);
      if (diff == 0) {
        if (pop_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          T* value = cell.value;
          cell.sequence.store(pos + mask_ + 1, std::memory_order_release);
          return value;
        }
      } else if (diff < 0) {
        return nullptr;
      } else {
        pos = pop_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  // Pushes claimed so far (published or about to be).
  size_t pushed() const { return push_pos_.load(std::memory_order_acquire); }
  size_t popped() const { return pop_pos_.load(std::memory_order_acquire); }

 private:
  struct Cell {
    std::atomic<size_t> sequence;
    T* value;
  };

  static constexpr size_t kPrefetchAhead = 8;

  const size_t mask_;
  std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<size_t> push_pos_{0};
  alignas(64) std::atomic<size_t> pop_pos_{0};
};

}  // namespace tai::internal

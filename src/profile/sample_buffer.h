// Internal: the preallocated buffer the SIGPROF handler writes stacks into.
// A bounded ring of fixed-size slots, each with a sequence number (Vyukov's
// bounded queue): any number of writers claim slots with one CAS, one reader
// drains. Claiming and publishing are lock-free atomics on memory allocated
// up front, so Push is async-signal-safe. When every slot is taken Push fails
// and the caller counts a drop; nothing waits.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tai::internal {

struct SampleHeader {
  uint64_t sp_word = 0;  // the word at the stack pointer (see WalkStackFromContext)
  uint32_t tid = 0;
  uint32_t label_set = 0;
  uint32_t weight = 0;  // timer periods this sample stands for (1 + overruns)
  uint16_t depth = 0;   // frames used
  uint16_t truncated = 0;
};

class SampleBuffer {
 public:
  // `capacity` is rounded up to a power of two.
  SampleBuffer(size_t capacity, int max_frames);
  SampleBuffer(const SampleBuffer&) = delete;
  SampleBuffer& operator=(const SampleBuffer&) = delete;

  // Claims a slot; fills it through the header and frames pointers; then
  // Commit(token). Returns false when full. Async-signal-safe.
  bool Claim(uint64_t* token, SampleHeader** header, uint64_t** frames);
  void Commit(uint64_t token);

  // Single reader: calls fn(const SampleHeader&, const uint64_t* frames) for
  // each committed sample in order, stopping at the first not yet committed.
  template <typename Fn>
  size_t Drain(Fn&& fn) {
    size_t n = 0;
    for (;;) {
      Slot& s = slot(read_pos_);
      if (s.seq.load(std::memory_order_acquire) != read_pos_ + 1) return n;
      fn(static_cast<const SampleHeader&>(s.header), frames_of(read_pos_));
      s.seq.store(read_pos_ + capacity_, std::memory_order_release);
      ++read_pos_;
      ++n;
    }
  }

  size_t capacity() const { return capacity_; }
  int max_frames() const { return max_frames_; }

 private:
  struct Slot {
    std::atomic<uint64_t> seq;
    SampleHeader header;
  };
  Slot& slot(uint64_t pos) { return slots_[pos & (capacity_ - 1)]; }
  uint64_t* frames_of(uint64_t pos) {
    return frames_.get() + (pos & (capacity_ - 1)) * static_cast<size_t>(max_frames_);
  }

  size_t capacity_;
  int max_frames_;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<uint64_t[]> frames_;
  alignas(64) std::atomic<uint64_t> write_pos_{0};
  alignas(64) uint64_t read_pos_ = 0;
};

}  // namespace tai::internal

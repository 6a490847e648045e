#include "profile/sample_buffer.h"

static_assert(std::atomic<uint64_t>::is_always_lock_free,
              "the signal handler needs lock-free 64-bit atomics");

namespace tai::internal {

SampleBuffer::SampleBuffer(size_t capacity, int max_frames) : max_frames_(max_frames) {
  capacity_ = 1;
  while (capacity_ < capacity) capacity_ <<= 1;
  slots_ = std::make_unique<Slot[]>(capacity_);
  for (size_t i = 0; i < capacity_; ++i) slots_[i].seq.store(i, std::memory_order_relaxed);
  frames_ = std::make_unique<uint64_t[]>(capacity_ * static_cast<size_t>(max_frames_));
}

bool SampleBuffer::Claim(uint64_t* token, SampleHeader** header, uint64_t** frames) {
  uint64_t pos = write_pos_.load(std::memory_order_relaxed);
  for (;;) {
    Slot& s = slot(pos);
    uint64_t seq = s.seq.load(std::memory_order_acquire);
    auto diff = static_cast<int64_t>(seq - pos);
    if (diff == 0) {
      if (write_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        *token = pos;
        *header = &s.header;
        *frames = frames_of(pos);
        return true;
      }
    } else if (diff < 0) {
      return false;  // the reader has not freed this slot yet: full
    } else {
      pos = write_pos_.load(std::memory_order_relaxed);
    }
  }
}

void SampleBuffer::Commit(uint64_t token) {
  slot(token).seq.store(token + 1, std::memory_order_release);
}

}  // namespace tai::internal

#include "tai/detail/cpu_slot.h"

#include <unistd.h>

#include <atomic>

namespace tai::detail {

size_t ShardCount() {
  static const size_t count = [] {
    long cpus = sysconf(_SC_NPROCESSORS_CONF);
    size_t n = 1;
    while (n < static_cast<size_t>(cpus > 0 ? cpus : 1) && n < 64) n <<= 1;
    return n;
  }();
  return count;
}

unsigned ThreadSlotFallback() {
  static std::atomic<unsigned> next{0};
  thread_local unsigned slot = next.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

}  // namespace tai::detail

#include "tai/metrics/detail/cpu_slot.h"

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <vector>

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

constinit thread_local int t_thread_slot = -2;

namespace {

std::mutex g_slots_mu;
std::vector<int>* g_free_slots = new std::vector<int>();  // never freed: threads exit late
int g_next_slot = 0;

// Returns the thread's slot to the pool when the thread exits. The mutex
// orders the old owner's last writes before the next owner's first.
struct SlotReleaser {
  ~SlotReleaser() {
    if (t_thread_slot < 0) return;
    std::lock_guard<std::mutex> lock(g_slots_mu);
    g_free_slots->push_back(t_thread_slot);
    t_thread_slot = -1;
  }
};

}  // namespace

int AcquireThreadSlot() {
  thread_local SlotReleaser releaser;
  (void)releaser;
  std::lock_guard<std::mutex> lock(g_slots_mu);
  if (!g_free_slots->empty()) {
    t_thread_slot = g_free_slots->back();
    g_free_slots->pop_back();
  } else {
    t_thread_slot = g_next_slot++;
  }
  return t_thread_slot;
}

unsigned ThreadSlotFallback() {
  static std::atomic<unsigned> next{0};
  thread_local unsigned slot = next.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

}  // namespace tai::detail

// Internal: the interface between the allocation hooks (heap_hooks.cc,
// linked into a program that opts in) and the heap profiler.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tai::internal {

// True while a heap profile runs; the hooks read it with a relaxed load.
extern std::atomic<bool> g_heap_profiling;

// One bit per pointer hash, set while a sampled block with that hash is
// live: a free whose bit is clear (nearly all) never takes the lock. 8 KiB,
// so it stays in cache.
constexpr size_t kHeapBits = 1 << 16;
extern std::atomic<uint64_t> g_heap_sampled_bits[kHeapBits / 64];

inline size_t HeapBit(const void* p) {
  auto v = reinterpret_cast<uintptr_t>(p);
  return static_cast<size_t>(((v >> 4) * 0x9e3779b97f4a7c15ull) >> 48) & (kHeapBits - 1);
}
inline bool HeapMaybeSampled(const void* p) {
  size_t b = HeapBit(p);
  return (g_heap_sampled_bits[b >> 6].load(std::memory_order_relaxed) >> (b & 63)) & 1;
}

// Called by the hooks while profiling, when the thread's countdown of bytes
// reaches zero; samples the allocation and returns the next countdown.
int64_t HeapOnAlloc(void* p, size_t size);
// Called for a free whose HeapMaybeSampled() is true.
void HeapOnFree(void* p);

}  // namespace tai::internal

// Defined by the hooks; its presence says they are linked in.
extern "C" int tai_heap_hooks_linked();

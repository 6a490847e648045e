// Implementation detail of metrics.h (not API): which shard a hot-path write goes to.
//
// Shards are per CPU: the index is the CPU the thread runs on, read from the
// rseq area the kernel keeps up to date for every thread (glibc >= 2.35
// registers it), which is one memory load. Two threads on different CPUs
// never write the same cache line; two on the same CPU only meet when one is
// preempted mid-write. Without rseq (old kernel, GLIBC_TUNABLES turning it
// off, valgrind) each thread gets a round-robin index instead.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tai::detail {

// Number of shards: the power of two at or above the CPU count, at most 64.
size_t ShardCount();

unsigned ThreadSlotFallback();

// A small id owned by the calling thread alone while it lives, reused by a
// later thread after it exits (ids stay dense: 0, 1, 2, ...). Lets a thread
// write its own shard with plain stores. -1 once the thread is exiting.
inline int ThreadSlot();
int AcquireThreadSlot();
extern constinit thread_local int t_thread_slot;  // -2: not yet acquired

inline unsigned CurrentCpuSlot();

// A spin-wait hint to the CPU.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace tai::detail

#include <sys/rseq.h>

namespace tai::detail {

inline int ThreadSlot() {
  int slot = t_thread_slot;
  return slot != -2 ? slot : AcquireThreadSlot();
}

inline unsigned CurrentCpuSlot() {
  if (__rseq_size != 0) {
    const auto* rs = reinterpret_cast<const struct rseq*>(
        static_cast<const char*>(__builtin_thread_pointer()) + __rseq_offset);
    uint32_t cpu = __atomic_load_n(&rs->cpu_id, __ATOMIC_RELAXED);
    if (static_cast<int32_t>(cpu) >= 0) return cpu;
  }
  return ThreadSlotFallback();
}

}  // namespace tai::detail

#include "hot_path_counts.h"

#include <dlfcn.h>
#include <pthread.h>

#include <cstdlib>
#include <new>

namespace {

constinit thread_local HotPathCounts t_counts;

using MutexLockFn = int (*)(pthread_mutex_t*);

MutexLockFn RealMutexLock() {
  static MutexLockFn real = reinterpret_cast<MutexLockFn>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
  return real;
}

}  // namespace

extern "C" int pthread_mutex_lock(pthread_mutex_t* mutex) {
  ++t_counts.mutex_locks;
  return RealMutexLock()(mutex);
}

void* operator new(std::size_t size) {
  ++t_counts.allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

HotPathCounts HotPathCounts::OfThisThread() { return t_counts; }

void ReportPerIteration(benchmark::State& state, const HotPathCounts& before) {
  const HotPathCounts now = t_counts;
  const auto per_op = [&](uint64_t n) {
    return benchmark::Counter(static_cast<double>(n) / static_cast<double>(state.iterations()),
                              benchmark::Counter::kAvgThreads);
  };
  state.counters["allocs/op"] = per_op(now.allocations - before.allocations);
  state.counters["locks/op"] = per_op(now.mutex_locks - before.mutex_locks);
}

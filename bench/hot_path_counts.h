// Counts what a hot path must not do per operation: heap allocations
// (operator new, replaced in this benchmark binary) and mutex locks
// (pthread_mutex_lock, interposed), each on the calling thread only, so a
// benchmark reports its own thread's counts whatever the library's
// background threads do.
//
//   HotPathCounts before = HotPathCounts::OfThisThread();
//   ... the loop ...
//   ReportPerIteration(state, before);
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

struct HotPathCounts {
  uint64_t allocations = 0;
  uint64_t mutex_locks = 0;

  static HotPathCounts OfThisThread();
};

// Adds "allocs/op" and "locks/op" counters: this thread's counts since
// `before`, per iteration, averaged over the benchmark's threads.
void ReportPerIteration(benchmark::State& state, const HotPathCounts& before);

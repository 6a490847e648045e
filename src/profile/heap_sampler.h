// Internal: the interface between the allocation hooks (heap_hooks.cc,
// linked into a program that opts in) and the heap profiler.
#pragma once

#include <atomic>
#include <cstddef>

namespace tai::internal {

// True while a heap profile runs; the hooks read it with a relaxed load.
extern std::atomic<bool> g_heap_profiling;

// Called by the hooks, only while profiling.
void HeapOnAlloc(void* p, size_t size);
void HeapOnFree(void* p);

}  // namespace tai::internal

// Defined by the hooks; its presence says they are linked in.
extern "C" int tai_heap_hooks_linked();

// HeapProfiler: sampled allocation profiling for the whole process. About
// one allocation per `sample_interval_bytes` (512 KiB on average, Poisson,
// as tcmalloc and Go do) is recorded with its stack and size; each sample is
// scaled by the inverse of its probability of being sampled, so counts and
// bytes are unbiased estimates. The profile has Go's heap sample types:
// alloc_objects, alloc_space (everything allocated while profiling) and
// inuse_objects, inuse_space (allocated and not yet freed).
//
// Allocations are seen through hooks that a program opts into by linking
// tai::heap_hooks: it replaces malloc, calloc, realloc, free, the aligned
// allocation functions and every C++ operator new/delete, forwarding to
// glibc's allocator. Through ELF symbol interposition that covers the
// shared libraries of a normal dynamically linked program too. Limits: not
// with another malloc (jemalloc, tcmalloc) or a sanitizer runtime, which
// own these symbols; memory from mmap directly is not seen; frees of blocks
// allocated before Start are ignored. When not profiling, each hook costs
// one relaxed load and a branch; when profiling, an allocation that is not
// sampled costs a thread-local subtraction, and a free one hashed lookup in
// a table of counters.
//
// One heap profile per process; the static methods are thread-safe.
#pragma once

#include <cstdint>

#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai {

struct HeapProfileOptions {
  int64_t sample_interval_bytes = 512 * 1024;  // mean bytes between samples; 1 samples all
  int max_frames = 64;
};

class HeapProfiler {
 public:
  // kFailedPrecondition when tai::heap_hooks is not linked in, or a heap
  // profile already runs.
  static Status Start(const HeapProfileOptions& options = {});
  // The profile so far, without stopping.
  static Result<Profile> Snapshot();
  static Result<Profile> Stop();
  static bool running();
  // True when the allocation hooks are linked into this program.
  static bool HooksLinked();
};

}  // namespace tai

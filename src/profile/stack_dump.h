// Internal: the stack of another thread of this process, on demand. Sends
// the thread a queued SIGPROF (si_code SI_QUEUE) that the profiler's handler
// recognises and answers by walking the thread's stack into one
// preallocated slot. Requests are serialised.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace tai::internal {

struct RawStack {
  std::vector<uint64_t> frames;  // leaf first; return addresses minus one
  uint64_t sp_word = 0;          // see WalkStackFromContext
};

// False when the thread did not answer within `timeout` (it blocks SIGPROF,
// has exited, or is stopped).
bool DumpThreadStack(pid_t tid, std::chrono::milliseconds timeout, int max_frames, RawStack* out);

}  // namespace tai::internal

// Internal: whether the calling thread is inside the profiler's SIGPROF
// handler. Lets tests (and the heap hooks) prove that nothing the handler
// does reaches the allocator.
#pragma once

namespace tai::internal {

bool InProfilerSignalHandler();

}  // namespace tai::internal

// ThreadProfile: a snapshot of the process's threads: how many, their
// names, scheduler states and CPU time (from /proc/self/task), and on
// request the stack of every thread, symbolized.
//
// Stacks are taken by sending each thread a queued SIGPROF that the
// profiler's handler answers by walking its own stack into a preallocated
// slot (async-signal-safe, as for CPU samples); a thread that blocks SIGPROF
// or does not answer within the timeout is listed without a stack. Works
// whether or not a CPU profile is running.
//
// CaptureThreadProfile is thread-safe (captures are serialised).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai {

struct ThreadInfo {
  pid_t tid = 0;
  std::string name;
  char state = '?';        // R running, S sleeping, D disk wait, T stopped, Z zombie...
  std::string state_name;  // "running", "sleeping", ...
  int64_t cpu_nanos = 0;   // user + system CPU time so far
  bool has_stack = false;
  std::vector<std::string> stack;  // function names, innermost first
};

struct ThreadProfile {
  int64_t time_nanos = 0;           // wall time of the snapshot
  std::vector<ThreadInfo> threads;  // ordered by tid
  size_t count() const { return threads.size(); }
  // Text for a person: one block per thread, stacks indented.
  std::string ToString() const;
};

struct ThreadProfileOptions {
  bool stacks = false;
  std::chrono::milliseconds per_thread_timeout{200};
  int max_frames = 64;
};

Result<ThreadProfile> CaptureThreadProfile(const ThreadProfileOptions& options = {});

// The snapshot as a pprof profile (Cloud Profiler's THREADS type): one
// sample of value 1 (threads, count) per thread, its stack as the sample's
// stack, labelled with the thread's name and state; a thread without a
// stack gets the one frame "[no stack]".
Profile ThreadProfileToPprof(const ThreadProfile& snapshot);

}  // namespace tai

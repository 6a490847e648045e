// CpuProfiler: a sampling profiler for the whole process. Every thread
// (including threads created after Start) gets its own timer on its own
// CPU-time clock, so a busy thread is sampled in proportion to the CPU it
// uses and an idle one not at all; in wall-clock mode the timers run on wall
// time instead, so blocked threads are sampled too. The SIGPROF handler
// walks frame pointers into a preallocated lock-free buffer (no malloc, no
// lock, no stdio); a background thread drains it, finds new threads and
// symbolizes. See docs/profiling.md for how and why.
//
// One sampling session runs per process at a time, whichever CpuProfiler
// started it: a second Start() returns an error, unless both start shared
// (CpuProfileOptions::shared) with the same rate and clock, in which case
// each gets its own window of the one session's samples. A child made by fork() does not inherit
// the running profile (timers are not inherited; the child may Start its
// own). Destroying a running CpuProfiler stops it and drops the profile.
//
// CpuProfiler's methods are thread-safe. ScopedProfileLabels is per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai {

enum class ProfileClock {
  kCpu,   // each thread sampled on its own CPU time: where CPU goes
  kWall,  // each thread sampled on wall time, running or not: where time goes
};

struct CpuProfileOptions {
  int hz = 100;  // samples per second of (CPU or wall) time per thread; 1..10000
  ProfileClock clock = ProfileClock::kCpu;
  // Samples the buffer holds between two drains; more are dropped and counted.
  size_t buffer_samples = 4096;
  // Frames kept per stack (deeper stacks are cut at the root end); 4..256.
  int max_frames = 64;
  // How often the background thread looks for new threads and drains.
  std::chrono::milliseconds scan_interval{50};
  // Label every sample with its thread's name ("thread") and id ("thread_id").
  bool thread_labels = true;
  // Share the process's sampling: a shared Start joins a running shared
  // profile with the same hz, clock and thread_labels instead of failing,
  // and gets its own window of the same samples (from its Start to its
  // Stop) at the cost of one profiler; the first to start sets the buffer,
  // stack depth and scan interval, and the last to stop ends the sampling.
  // The continuous profiling service (ProfileRecorder) and the Cloud
  // Profiler agent start shared, so both get every window. A shared start
  // still fails while an unshared profile runs, or a shared one with other
  // options; an unshared start (the default) fails while any profile runs.
  bool shared = false;
};

// What the profiler cost and saw, measured while it ran.
struct ProfilerStats {
  uint64_t samples = 0;              // stacks recorded
  uint64_t dropped = 0;              // lost because the buffer was full
  uint64_t ticks = 0;                // timer periods covered (samples weighted by timer overruns)
  uint64_t threads = 0;              // threads that had a timer
  int64_t handler_nanos = 0;         // total time inside the signal handler
  int64_t background_cpu_nanos = 0;  // CPU of the draining thread, symbolization included
  int64_t symbolize_nanos = 0;       // of which symbolization (also at Stop)
  int64_t wall_nanos = 0;            // how long the profile ran
  // Profiler CPU per second of wall time (0.01 = 1% of one core).
  double Overhead() const;
};

class CpuProfiler {
 public:
  CpuProfiler();
  ~CpuProfiler();
  CpuProfiler(const CpuProfiler&) = delete;
  CpuProfiler& operator=(const CpuProfiler&) = delete;

  // Starts sampling every thread. Fails with kInvalidArgument for bad
  // options, kAlreadyExists when a profile already runs in this process, or
  // kUnavailable when the timers cannot be made.
  Status Start(const CpuProfileOptions& options = {});
  // Stops and returns the symbolized profile: sample types (samples, count)
  // and (cpu or wall, nanoseconds). kFailedPrecondition when not running.
  Result<Profile> Stop();
  bool running() const;
  // Live figures while running, the last profile's after Stop.
  ProfilerStats stats() const;

  // True when any CpuProfiler in this process is running.
  static bool ProcessProfiling();

  struct Session;  // internal: the running profile, shared with the signal handler

 private:
  Result<Profile> StopLocked();
  mutable std::mutex mu_;
  std::shared_ptr<Session> session_;  // shared with the other windows of a shared session
  uint64_t window_ = 0;               // this profiler's window in it
  ProfilerStats last_stats_;
};

// Labels the samples taken on this thread while it lives ("route" =
// "/api/users"), on top of the labels of enclosing scopes. Making one takes
// a lock and may allocate (label sets are interned once, for the life of the
// process: use values of bounded cardinality, a route rather than a request
// id); reading the label in the signal handler is one thread-local load.
class ScopedProfileLabels {
 public:
  ScopedProfileLabels(std::initializer_list<std::pair<std::string_view, std::string_view>> labels);
  ~ScopedProfileLabels();
  ScopedProfileLabels(const ScopedProfileLabels&) = delete;
  ScopedProfileLabels& operator=(const ScopedProfileLabels&) = delete;

 private:
  uint32_t previous_;
};

}  // namespace tai

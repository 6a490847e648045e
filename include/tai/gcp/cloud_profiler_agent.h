// CloudProfilerAgent: this process as a Google Cloud Profiler agent, the
// C++ one Google does not publish. It follows the protocol of Google's own
// agents (Cloud Profiler API v2):
//
//   loop:
//     profiles.create: a long poll (up to an hour) offering the profile
//       types this process can give; the server answers when it wants one,
//       which keeps the fleet's profiling rate constant per deployment
//     collect the type the server asked for, for the duration it asked
//       (CPU, WALL: the CPU profiler; HEAP: the heap profiler's in-use
//       snapshot; THREADS: every thread's stack)
//     profiles.patch: the gzipped pprof and the profile labels
//
// When the server answers create with an error carrying a
// google.rpc.RetryInfo (409 ABORTED "backoff for 44m") or a Retry-After,
// the agent waits exactly that long; after other failures it backs off
// exponentially with jitter: a uniform wait between half and all of an
// envelope that starts at 1 minute and grows 1.3 times per failure up to 1
// hour (the envelope of Google's Go agent; the floor at half keeps a run of
// failures from turning into a tight loop). It never asks again sooner, so
// it never profiles more often than the server allows.
//
// One profile runs at a time. CPU and WALL profiles are started shared
// (CpuProfileOptions::shared): while the continuous profiling service (or
// any ProfileRecorder) samples at the same rate and clock, the agent gets
// its own window of the same samples and both get every profile, at the
// cost of one profiler. When another CPU profile runs that it cannot share
// (an unshared CpuProfiler, or another rate or clock: a WALL request while
// the service samples CPU time), the request is skipped: nothing is
// uploaded for it (an empty profile would read as an idle process) and
// stats().skipped_busy counts it.
//
// Stop() is prompt: it cuts an outstanding long poll (within about a second,
// libcurl's idle progress interval), a wait between retries and a running
// collection short; a collection cut short is not uploaded. The one wait it
// does not cut is for the very first access token (up to 10 s).
//
// Owned by the application or by tai::Observability. Thread-safe. Never
// throws; errors are counted in stats(), the last one kept as text (no
// token ever appears in it).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tai/core/status.h"
#include "tai/gcp/api_options.h"
#include "tai/profile/cpu_profiler.h"
#include "tai/profile/heap_profiler.h"
#include "tai/profile/profile.h"
#include "tai/profile/profile_sink.h"

namespace tai::internal {
class GcpApiClient;
}

namespace tai::gcp {

struct CloudProfilerAgentOptions {
  // The project, the profiler endpoint (endpoints.profiler), the token
  // source; timeout and retries apply to uploads (profiles.patch).
  GcpApiOptions api;
  // Deployment.target: the service name, the same on every replica.
  std::string target;
  // Deployment labels "version" and "zone", left out when empty.
  std::string version;
  std::string zone;
  // Further deployment labels (the API's rules: lower-case names, values up
  // to 512 bytes, 1024 bytes in all). "language" is "cpp" unless set here.
  std::map<std::string, std::string> labels;
  // Profile label "instance" (per profile, not part of the deployment).
  std::string instance;
  // What the agent offers. Empty: CPU, WALL, THREADS, and HEAP when the
  // heap hooks are linked in (HeapProfiler::HooksLinked()).
  std::vector<ProfileKind> profile_types;

  // How long one profiles.create may stay open.
  std::chrono::milliseconds create_timeout = std::chrono::hours(1);
  // Backoff after a failed create the server gave no delay for.
  std::chrono::milliseconds initial_backoff = std::chrono::minutes(1);
  std::chrono::milliseconds max_backoff = std::chrono::hours(1);
  double backoff_multiplier = 1.3;
  // A server delay longer than this is cut to it (a guard against a bogus
  // answer parking the agent for days).
  std::chrono::milliseconds max_server_delay = std::chrono::hours(2);
  // Used when the server names no duration; longer requests are cut here.
  std::chrono::milliseconds default_duration = std::chrono::seconds(10);
  std::chrono::milliseconds max_duration = std::chrono::minutes(5);

  int cpu_hz = 100;
  // The heap profiler the agent starts for HEAP (unless one runs already).
  HeapProfileOptions heap;

  // The first problem, named: project, target, labels, types, durations.
  Status Validate() const;
};

struct CloudProfilerAgentStats {
  uint64_t creates = 0;            // profiles.create calls answered with a profile
  uint64_t create_errors = 0;      // failed creates (backoffs included)
  uint64_t server_backoffs = 0;    // of which the server named the delay
  uint64_t collected[4] = {};      // by ProfileKind
  uint64_t collection_errors = 0;  // asked for a type we could not collect
  uint64_t skipped_busy = 0;       // CPU/WALL asked while an unsharable CPU profile ran
  uint64_t uploaded = 0;           // successful profiles.patch
  uint64_t upload_errors = 0;
  std::chrono::milliseconds last_backoff{0};
  std::string last_error;  // "" when none yet
};

class CloudProfilerAgent {
 public:
  // Fails, naming the problem, on bad options (see Validate) or when HEAP is
  // asked for without the heap hooks linked in.
  static Result<std::unique_ptr<CloudProfilerAgent>> Create(CloudProfilerAgentOptions options);
  ~CloudProfilerAgent();  // Stop()
  CloudProfilerAgent(const CloudProfilerAgent&) = delete;
  CloudProfilerAgent& operator=(const CloudProfilerAgent&) = delete;

  // Starts the agent's thread (and the heap profiler when HEAP is offered).
  // kFailedPrecondition when already started.
  Status Start();
  // Interrupts whatever the agent is doing and joins its thread. Idempotent.
  void Stop();

  CloudProfilerAgentStats stats() const;
  const CloudProfilerAgentOptions& options() const { return options_; }

 private:
  explicit CloudProfilerAgent(CloudProfilerAgentOptions options);
  struct Created;
  void Run();
  bool WaitFor(std::chrono::milliseconds d);
  Result<Created> CreateProfile();
  Result<Profile> Collect(ProfileKind kind, std::chrono::milliseconds duration);
  Result<Profile> CollectCpu(ProfileClock clock, std::chrono::milliseconds duration);
  Status Upload(const Created& created, const Profile& profile);
  void Backoff(const Status& error, std::optional<std::chrono::milliseconds> server_delay);
  void NoteError(uint64_t CloudProfilerAgentStats::*counter, const Status& error);

  const CloudProfilerAgentOptions options_;
  std::string create_body_;
  std::unique_ptr<internal::GcpApiClient> client_;
  CpuProfiler cpu_;
  bool started_heap_ = false;
  std::chrono::milliseconds backoff_envelope_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};
  CloudProfilerAgentStats stats_;
  std::thread thread_;
};

}  // namespace tai::gcp

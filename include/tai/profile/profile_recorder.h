// ProfileRecorder: CPU profiles recorded one at a time, each under an id;
// the last kKeptProfiles finished profiles kept by id; and the baseline that
// later profiles are compared with. It is what ContinuousProfilingService
// profiles with, and the native piece under the original design's
// gcp::CloudProfiler (which adds the design's comparison, flame graph and
// overhead calls on top).
//
//   auto recorder = std::make_shared<tai::ProfileRecorder>(100);  // 100 Hz
//   TAI_RETURN_IF_ERROR(recorder->StartCpuProfile("checkout-1"));
//   ... work ...
//   auto profile = recorder->FinishCpuProfile();  // Result<Profile>, kept as "checkout-1"
//
// A recorder starts its profiles shared (CpuProfileOptions::shared): while
// other recorders, or the Cloud Profiler agent, profile at the same rate and
// clock, each gets its own window of the one sampling session's samples.
// Starting a second profile on the same recorder is an error, and so is a
// start while an unshared profile (a CpuProfiler started without `shared`)
// or a shared one at another rate or clock runs. Shared by its users
// (shared_ptr). Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/status.h"
#include "tai/profile/baseline_store.h"
#include "tai/profile/cpu_profiler.h"
#include "tai/profile/profile.h"

namespace tai {

class ProfileRecorder {
 public:
  static constexpr size_t kKeptProfiles = 32;

  // `comments` are added to every finished profile (pprof comments: where
  // it was made, for whom).
  explicit ProfileRecorder(int hz = 100, std::vector<std::string> comments = {});
  virtual ~ProfileRecorder() = default;
  ProfileRecorder(const ProfileRecorder&) = delete;
  ProfileRecorder& operator=(const ProfileRecorder&) = delete;

  int hz() const;
  // Options for the next StartCpuProfile (hz from the constructor unless
  // set here; `shared` is always on).
  void set_options(const CpuProfileOptions& options);

  // kInvalidArgument for an empty id; the profiler's error (with the id)
  // when a profile already runs in the process.
  Status StartCpuProfile(std::string id);
  // Stops the running profile, keeps it under its id and returns it.
  Result<Profile> FinishCpuProfile();
  // kNotFound when no kept profile has the id.
  Result<Profile> GetCompletedProfile(std::string_view id) const;
  // The most recently finished profile; kNotFound before the first.
  Result<Profile> LastCompletedProfile() const;

  // The profile later ones are compared with (e.g. the previous deployment's).
  void SetBaselineProfile(Profile baseline);
  void ClearBaselineProfile();
  std::optional<Profile> baseline_profile() const;

  // The profiler's measured cost (signal handler, draining and
  // symbolization CPU per second of wall time) of the running profile, or
  // of the last one.
  double MeasuredOverhead() const;
  ProfilerStats stats() const { return profiler_.stats(); }

  // Where a ContinuousProfilingService over this recorder keeps its
  // baselines when its options name no place: none for a plain recorder
  // (memory only); gcp::CloudProfiler answers with the embedded store its
  // profiles go to, under its service name and version.
  virtual std::shared_ptr<BaselineStore> baseline_store() const { return nullptr; }

 protected:
  // Called with every finished profile once it is kept, outside the lock and
  // on the thread that finished it (the caller's, or a
  // ContinuousProfilingService's): where a subclass publishes it. Must not block.
  virtual void OnProfileFinished(const std::string& /*id*/, const Profile& /*profile*/) {}
  // Every later StartCpuProfile fails with `why` (a subclass that could not
  // be set up); an OK status lifts it.
  void RefuseStarts(Status why);

 private:
  const std::vector<std::string> comments_;
  CpuProfiler profiler_;
  mutable std::mutex mu_;
  CpuProfileOptions options_;
  Status refused_;
  std::string running_id_;
  std::deque<std::pair<std::string, Profile>> completed_;
  std::optional<Profile> baseline_;
};

}  // namespace tai

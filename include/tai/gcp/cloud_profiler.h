// tai::gcp::CloudProfiler: the original design's profiling API
// (start_cpu_profile, finish_cpu_profile, get_completed_profile,
// generate_flame_graph_data, check_overhead, set_baseline_profile,
// compare_with_baseline) over tai::CpuProfiler and tai::CompareProfiles.
//
//   tai::gcp::CloudProfiler profiler("my-project", 100);  // 100 samples/s
//   TAI_RETURN_IF_ERROR(profiler.StartCpuProfile("profile-1"));
//   ... work ...
//   auto profile = profiler.FinishCpuProfile();           // Result<Profile>
//   for (auto& [function, micros] : profile->HotPaths(10)) ...
//   profiler.SetBaselineProfile(*profiler.GetCompletedProfile("baseline-v1"));
//   auto comparison = profiler.CompareWithBaseline();     // the last profile vs the baseline
//
// Finished profiles stay in memory (the last kKeptProfiles of them) under
// their id. One CPU profile runs per process at a time: starting a second,
// from this or any other profiler, is an error. Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "tai/flame_graph.h"
#include "tai/profile.h"
#include "tai/profiler.h"
#include "tai/regression.h"
#include "tai/status.h"

namespace tai::gcp {

class CloudProfiler {
 public:
  static constexpr size_t kKeptProfiles = 32;
  static constexpr double kDefaultOverheadLimit = 0.05;

  CloudProfiler(std::string project, int hz = 100);
  CloudProfiler(const CloudProfiler&) = delete;
  CloudProfiler& operator=(const CloudProfiler&) = delete;

  const std::string& project() const { return project_; }
  int hz() const { return options_.hz; }
  // Options for the next StartCpuProfile (hz from the constructor unless set here).
  void set_options(const CpuProfileOptions& options);

  Status StartCpuProfile(std::string id);
  // Stops the running profile, keeps it under its id and returns it.
  Result<Profile> FinishCpuProfile();
  Result<Profile> GetCompletedProfile(std::string_view id) const;
  // The most recently finished profile; kNotFound before the first.
  Result<Profile> LastCompletedProfile() const;

  // The profile later ones are compared with (e.g. the previous deployment's).
  void SetBaselineProfile(Profile baseline);
  void ClearBaselineProfile();
  std::optional<Profile> baseline_profile() const;
  // Options of CompareWithBaseline (threshold, confidence, normalisation).
  void set_comparison_options(const ComparisonOptions& options);
  ComparisonOptions comparison_options() const;
  // The last finished profile against the baseline. kFailedPrecondition
  // when no baseline is set, kNotFound when no profile has finished yet.
  Result<ProfileComparison> CompareWithBaseline() const;

  // Collapsed stacks ("main;process;database 50000", microseconds) and the
  // SVG of the last finished profile; kNotFound before the first.
  Result<std::string> GenerateFlameGraphData() const;
  Result<std::string> GenerateFlameGraphSvg(const FlameGraphOptions& options = {}) const;

  // The profiler's measured cost (signal handler, draining and
  // symbolization CPU per second of wall time) of the running profile, or
  // of the last one; true when within the limit (5% by default).
  bool CheckOverhead() const;
  double MeasuredOverhead() const;
  void set_overhead_limit(double fraction) { overhead_limit_ = fraction; }
  ProfilerStats stats() const { return profiler_.stats(); }

 private:
  const std::string project_;
  CpuProfileOptions options_;
  double overhead_limit_ = kDefaultOverheadLimit;
  CpuProfiler profiler_;
  mutable std::mutex mu_;
  std::string running_id_;
  std::deque<std::pair<std::string, Profile>> completed_;
  std::optional<Profile> baseline_;
  ComparisonOptions comparison_options_;
};

}  // namespace tai::gcp

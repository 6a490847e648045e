// tai::gcp::CloudProfiler: the original design's profiling API
// (start_cpu_profile, finish_cpu_profile, get_completed_profile,
// generate_flame_graph_data, check_overhead, set_baseline_profile,
// compare_with_baseline): a tai::ProfileRecorder (which records, keeps and
// holds the baseline) plus the design's comparison, flame graph and
// overhead calls over tai::CompareProfiles and tai::FlameGraphSvg.
//
//   tai::gcp::CloudProfiler profiler("my-project", 100);  // 100 samples/s
//   TAI_RETURN_IF_ERROR(profiler.StartCpuProfile("profile-1"));
//   ... work ...
//   auto profile = profiler.FinishCpuProfile();           // Result<Profile>
//   for (auto& [function, micros] : profile->HotPaths(10)) ...
//   profiler.SetBaselineProfile(*profiler.GetCompletedProfile("baseline-v1"));
//   auto comparison = profiler.CompareWithBaseline();     // the last profile vs the baseline
//
// A CloudProfiler is a ProfileRecorder, so it can be given to a
// ContinuousProfilingService as the original design does. Finished
// profiles stay in memory (the last kKeptProfiles of them) under their id.
// One CPU profile runs per process at a time: starting a second, from this
// or any other profiler, is an error. Thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "tai/analysis/flame_graph.h"
#include "tai/analysis/regression.h"
#include "tai/core/status.h"
#include "tai/profile/profile.h"
#include "tai/profile/profile_recorder.h"

namespace tai::gcp {

// What CheckOverhead found. Before any profile has run nothing is measured,
// and that is not "within the limit": the check converts to true only when
// a measurement exists and stayed under the limit, so the design's
// `if (profiler.CheckOverhead())` never passes on no data.
struct OverheadCheck {
  bool measured = false;  // a profile ran (or is running) for some time
  double overhead = 0;    // profiler CPU per second of wall time (0.01 = 1% of a core)
  double limit = 0;

  bool within_limit() const { return measured && overhead <= limit; }
  explicit operator bool() const { return within_limit(); }
};

class CloudProfiler : public ProfileRecorder {
 public:
  static constexpr double kDefaultOverheadLimit = 0.05;

  CloudProfiler(std::string project, int hz = 100);

  const std::string& project() const { return project_; }

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

  // The measured overhead (MeasuredOverhead) of the running profile, or of
  // the last one, against the limit (5% by default); `measured` is false
  // before any profile has run.
  OverheadCheck CheckOverhead() const;
  void set_overhead_limit(double fraction) { overhead_limit_ = fraction; }

 private:
  const std::string project_;
  double overhead_limit_ = kDefaultOverheadLimit;
  mutable std::mutex mu_;
  ComparisonOptions comparison_options_;
};

}  // namespace tai::gcp

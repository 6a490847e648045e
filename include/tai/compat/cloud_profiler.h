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
// One CPU profile runs per CloudProfiler at a time: starting a second is an
// error. Profilers of the process at the same rate share one sampling
// session (ProfileRecorder), each with its own window of its samples.
//
// Where finished profiles go: every profile it finishes (by the caller, or
// by a ContinuousProfilingService's windows) is uploaded, from a bounded
// queue on a thread of the process's design pipeline (shared by every
// standalone design object; docs/profiling.md), to Cloud Profiler of
// `project` (profiles:createOffline, under the service name and version)
// when Google Cloud export is configured (TAI_GCP_EXPORT=true, or
// GOOGLE_CLOUD_PROJECT and GOOGLE_APPLICATION_CREDENTIALS set), and to the
// embedded store unless TAI_STORE=off. upload_stats() says what became of
// them. `project` decides: a GOOGLE_CLOUD_PROJECT or a running design
// pipeline naming another project is an error, and so is having nowhere
// to send profiles. The constructor keeps such an error: status() returns
// it, and so do StartCpuProfile and the comparison and flame graph calls
// (CheckOverhead says nothing was measured). Create() returns it instead.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "tai/analysis/flame_graph.h"
#include "tai/analysis/regression.h"
#include "tai/core/status.h"
#include "tai/profile/profile.h"
#include "tai/profile/profile_recorder.h"

namespace tai::internal {
class DesignPipeline;
struct ProfileUploadCounters;
}  // namespace tai::internal

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

// What became of the profiles a CloudProfiler finished.
struct ProfileUploadStats {
  uint64_t finished = 0;   // offered for upload
  uint64_t delivered = 0;  // taken by every destination (Cloud Profiler, the store)
  uint64_t failed = 0;     // refused by a destination after its retries
  uint64_t dropped = 0;    // the upload queue was full, or the process's pipeline shut down
  std::string last_error;  // why the last failure or drop happened
};

class CloudProfiler : public ProfileRecorder {
 public:
  static constexpr double kDefaultOverheadLimit = 0.05;

  CloudProfiler(std::string project, int hz = 100);
  // The same, failing with the error the constructor would keep.
  static Result<std::unique_ptr<CloudProfiler>> Create(std::string project, int hz = 100);
  ~CloudProfiler() override;

  // OK, or why this CloudProfiler cannot work.
  const Status& status() const { return status_; }
  const std::string& project() const { return project_; }
  // Where finished profiles go, in words ("Cloud Profiler of project p and
  // the embedded store ./tai-data/x.db").
  const std::string& destination() const { return destination_; }
  ProfileUploadStats upload_stats() const;
  // Waits until the profiles finished so far are uploaded or failed (they
  // share the queue with the process's other CloudProfilers).
  bool FlushUploads(std::chrono::milliseconds timeout) const;

  // A finished profile by id: one kept in memory, else the newest of this
  // service's CPU profiles under that id in the embedded store (a previous
  // deployment's "baseline-v1", as the original design reads it).
  // kNotFound when neither has it. Hides ProfileRecorder's memory-only call.
  Result<Profile> GetCompletedProfile(std::string_view id) const;

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

  // The embedded store of the design pipeline (when open), for the
  // baselines of a ContinuousProfilingService over this profiler.
  std::shared_ptr<BaselineStore> baseline_store() const override;

 protected:
  void OnProfileFinished(const std::string& id, const Profile& profile) override;

 private:
  CloudProfiler(std::string project, int hz,
                Result<std::shared_ptr<internal::DesignPipeline>> pipeline);

  const std::string project_;
  Status status_;
  std::string destination_;
  std::shared_ptr<internal::DesignPipeline> pipeline_;
  std::shared_ptr<internal::ProfileUploadCounters> counters_;
  double overhead_limit_ = kDefaultOverheadLimit;
  mutable std::mutex mu_;
  ComparisonOptions comparison_options_;
};

}  // namespace tai::gcp

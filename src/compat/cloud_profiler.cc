#include "tai/compat/cloud_profiler.h"

namespace tai::gcp {
namespace {

std::vector<std::string> ProjectComment(const std::string& project) {
  if (project.empty()) return {};
  return {"project: " + project};
}

}  // namespace

CloudProfiler::CloudProfiler(std::string project, int hz)
    : ProfileRecorder(hz, ProjectComment(project)), project_(std::move(project)) {}

void CloudProfiler::set_comparison_options(const ComparisonOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  comparison_options_ = options;
}

ComparisonOptions CloudProfiler::comparison_options() const {
  std::lock_guard<std::mutex> lock(mu_);
  return comparison_options_;
}

Result<ProfileComparison> CloudProfiler::CompareWithBaseline() const {
  std::optional<Profile> baseline = baseline_profile();
  if (!baseline) {
    return FailedPreconditionError("no baseline profile: call SetBaselineProfile first");
  }
  Result<Profile> last = LastCompletedProfile();
  if (!last.ok()) {
    return NotFoundError("no profile has finished yet to compare with the baseline");
  }
  return CompareProfiles(*baseline, *last, comparison_options());
}

Result<std::string> CloudProfiler::GenerateFlameGraphData() const {
  TAI_ASSIGN_OR_RETURN(Profile last, LastCompletedProfile());
  return CollapsedStacks(last);
}

Result<std::string> CloudProfiler::GenerateFlameGraphSvg(const FlameGraphOptions& options) const {
  TAI_ASSIGN_OR_RETURN(Profile last, LastCompletedProfile());
  return FlameGraphSvg(last, options);
}

OverheadCheck CloudProfiler::CheckOverhead() const {
  const ProfilerStats measured = stats();
  return {.measured = measured.wall_nanos > 0,
          .overhead = measured.Overhead(),
          .limit = overhead_limit_};
}

}  // namespace tai::gcp

#include "tai/compat/cloud_profiler.h"

#include "compat/design_pipeline.h"
#include "tai/store/store_baselines.h"

namespace tai::gcp {
namespace {

std::vector<std::string> ProjectComment(const std::string& project) {
  if (project.empty()) return {};
  return {"project: " + project};
}

}  // namespace

CloudProfiler::CloudProfiler(std::string project, int hz)
    : CloudProfiler(project, hz, internal::DesignPipeline::Acquire(project)) {}

CloudProfiler::CloudProfiler(std::string project, int hz,
                             Result<std::shared_ptr<internal::DesignPipeline>> pipeline)
    : ProfileRecorder(hz, ProjectComment(project)),
      project_(std::move(project)),
      counters_(std::make_shared<internal::ProfileUploadCounters>()) {
  if (!pipeline.ok()) {
    status_ = pipeline.status().WithContext("CloudProfiler");
    RefuseStarts(status_);
    return;
  }
  pipeline_ = std::move(*pipeline);
  destination_ = pipeline_->Destinations("Cloud Profiler");
}

// Profiles still queued are the pipeline's to deliver; it outlives us when
// other design objects hold it, and flushes them when it goes.
CloudProfiler::~CloudProfiler() = default;

Result<std::unique_ptr<CloudProfiler>> CloudProfiler::Create(std::string project, int hz) {
  return internal::MadeOrError<CloudProfiler>(std::move(project), hz);
}

std::shared_ptr<BaselineStore> CloudProfiler::baseline_store() const {
  if (!pipeline_ || !pipeline_->observability().store()) return nullptr;
  Observability& obs = pipeline_->observability();
  return std::make_shared<StoreBaselineStore>(obs.store(), obs.resource());
}

void CloudProfiler::OnProfileFinished(const std::string& id, const Profile& profile) {
  if (!pipeline_) return;
  pipeline_->UploadProfile({.id = id, .kind = ProfileKind::kCpu, .profile = profile}, counters_);
}

Result<Profile> CloudProfiler::GetCompletedProfile(std::string_view id) const {
  Result<Profile> kept = ProfileRecorder::GetCompletedProfile(id);
  if (kept.ok() || !pipeline_ || !pipeline_->observability().store()) return kept;
  Observability& obs = pipeline_->observability();
  TAI_ASSIGN_OR_RETURN(auto stored,
                       obs.store()->ListProfiles({.service = obs.resource().service_name,
                                                  .kind = "CPU",
                                                  .profile_id = std::string(id),
                                                  .limit = 1}));
  if (stored.empty()) {
    return NotFoundError("no completed profile '" + std::string(id) +
                         "' in memory or in the embedded store");
  }
  return obs.store()->GetProfile(stored[0].row_id);
}

ProfileUploadStats CloudProfiler::upload_stats() const {
  std::lock_guard<std::mutex> lock(counters_->mu);
  return counters_->stats;
}

bool CloudProfiler::FlushUploads(std::chrono::milliseconds timeout) const {
  return pipeline_ && pipeline_->FlushProfiles(timeout);
}

void CloudProfiler::set_comparison_options(const ComparisonOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  comparison_options_ = options;
}

ComparisonOptions CloudProfiler::comparison_options() const {
  std::lock_guard<std::mutex> lock(mu_);
  return comparison_options_;
}

Result<ProfileComparison> CloudProfiler::CompareWithBaseline() const {
  TAI_RETURN_IF_ERROR(status_);
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
  TAI_RETURN_IF_ERROR(status_);
  TAI_ASSIGN_OR_RETURN(Profile last, LastCompletedProfile());
  return CollapsedStacks(last);
}

Result<std::string> CloudProfiler::GenerateFlameGraphSvg(const FlameGraphOptions& options) const {
  TAI_RETURN_IF_ERROR(status_);
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

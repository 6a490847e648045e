#include "tai/gcp/cloud_profiler.h"

namespace tai::gcp {

CloudProfiler::CloudProfiler(std::string project, int hz) : project_(std::move(project)) {
  options_.hz = hz;
}

void CloudProfiler::set_options(const CpuProfileOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  options_ = options;
}

Status CloudProfiler::StartCpuProfile(std::string id) {
  if (id.empty()) return InvalidArgumentError("profile id is empty");
  std::lock_guard<std::mutex> lock(mu_);
  Status s = profiler_.Start(options_);
  if (!s.ok()) return s.WithContext("profile '" + id + "'");
  running_id_ = std::move(id);
  return Status::Ok();
}

Result<Profile> CloudProfiler::FinishCpuProfile() {
  std::lock_guard<std::mutex> lock(mu_);
  Result<Profile> p = profiler_.Stop();
  if (!p.ok()) return p.status();
  p->comments.push_back("profile id: " + running_id_);
  if (!project_.empty()) p->comments.push_back("project: " + project_);
  completed_.emplace_back(std::move(running_id_), *p);
  running_id_.clear();
  while (completed_.size() > kKeptProfiles) completed_.pop_front();
  return p;
}

Result<Profile> CloudProfiler::GetCompletedProfile(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = completed_.rbegin(); it != completed_.rend(); ++it) {
    if (it->first == id) return it->second;
  }
  return NotFoundError("no completed profile '" + std::string(id) + "'");
}

Result<Profile> CloudProfiler::LastCompletedProfile() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (completed_.empty()) return NotFoundError("no profile has finished yet");
  return completed_.back().second;
}

void CloudProfiler::SetBaselineProfile(Profile baseline) {
  std::lock_guard<std::mutex> lock(mu_);
  baseline_ = std::move(baseline);
}

void CloudProfiler::ClearBaselineProfile() {
  std::lock_guard<std::mutex> lock(mu_);
  baseline_.reset();
}

std::optional<Profile> CloudProfiler::baseline_profile() const {
  std::lock_guard<std::mutex> lock(mu_);
  return baseline_;
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
  std::lock_guard<std::mutex> lock(mu_);
  if (!baseline_) {
    return FailedPreconditionError("no baseline profile: call SetBaselineProfile first");
  }
  if (completed_.empty()) {
    return NotFoundError("no profile has finished yet to compare with the baseline");
  }
  return CompareProfiles(*baseline_, completed_.back().second, comparison_options_);
}

Result<std::string> CloudProfiler::GenerateFlameGraphData() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (completed_.empty()) return NotFoundError("no profile has finished yet");
  return CollapsedStacks(completed_.back().second);
}

Result<std::string> CloudProfiler::GenerateFlameGraphSvg(const FlameGraphOptions& options) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (completed_.empty()) return NotFoundError("no profile has finished yet");
  return FlameGraphSvg(completed_.back().second, options);
}

double CloudProfiler::MeasuredOverhead() const { return profiler_.stats().Overhead(); }

bool CloudProfiler::CheckOverhead() const { return MeasuredOverhead() <= overhead_limit_; }

}  // namespace tai::gcp

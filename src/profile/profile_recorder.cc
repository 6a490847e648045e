#include "tai/profile/profile_recorder.h"

#include <utility>

namespace tai {

ProfileRecorder::ProfileRecorder(int hz, std::vector<std::string> comments)
    : comments_(std::move(comments)) {
  options_.hz = hz;
}

int ProfileRecorder::hz() const {
  std::lock_guard<std::mutex> lock(mu_);
  return options_.hz;
}

void ProfileRecorder::set_options(const CpuProfileOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  options_ = options;
}

Status ProfileRecorder::StartCpuProfile(std::string id) {
  if (id.empty()) return InvalidArgumentError("profile id is empty");
  std::lock_guard<std::mutex> lock(mu_);
  if (!refused_.ok()) return refused_;
  CpuProfileOptions options = options_;
  options.shared = true;
  Status s = profiler_.Start(options);
  if (!s.ok()) return s.WithContext("profile '" + id + "'");
  running_id_ = std::move(id);
  return Status::Ok();
}

Result<Profile> ProfileRecorder::FinishCpuProfile() {
  std::string id;
  Profile p;
  {
    std::lock_guard<std::mutex> lock(mu_);
    TAI_ASSIGN_OR_RETURN(p, profiler_.Stop());
    p.comments.push_back("profile id: " + running_id_);
    for (const std::string& c : comments_) p.comments.push_back(c);
    id = std::exchange(running_id_, std::string());
    completed_.emplace_back(id, p);
    while (completed_.size() > kKeptProfiles) completed_.pop_front();
  }
  OnProfileFinished(id, p);
  return p;
}

void ProfileRecorder::RefuseStarts(Status why) {
  std::lock_guard<std::mutex> lock(mu_);
  refused_ = std::move(why);
}

Result<Profile> ProfileRecorder::GetCompletedProfile(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = completed_.rbegin(); it != completed_.rend(); ++it) {
    if (it->first == id) return it->second;
  }
  return NotFoundError("no completed profile '" + std::string(id) + "'");
}

Result<Profile> ProfileRecorder::LastCompletedProfile() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (completed_.empty()) return NotFoundError("no profile has finished yet");
  return completed_.back().second;
}

void ProfileRecorder::SetBaselineProfile(Profile baseline) {
  std::lock_guard<std::mutex> lock(mu_);
  baseline_ = std::move(baseline);
}

void ProfileRecorder::ClearBaselineProfile() {
  std::lock_guard<std::mutex> lock(mu_);
  baseline_.reset();
}

std::optional<Profile> ProfileRecorder::baseline_profile() const {
  std::lock_guard<std::mutex> lock(mu_);
  return baseline_;
}

double ProfileRecorder::MeasuredOverhead() const { return profiler_.stats().Overhead(); }

}  // namespace tai

// CloudProfilerSink: a ProfileSink that uploads finished profiles to Google
// Cloud Profiler with profiles:createOffline (the API's way in for profiles
// collected on the agent's own schedule, e.g. by ContinuousProfilingService,
// or saved earlier). The deployment is the Resource's service (target) and
// version plus the zone and labels of the options; the profile type comes
// from UploadedProfile::kind, the duration from the profile itself, and
// UploadedProfile::labels become the profile's labels.
//
// A profile the API has taken is remembered by id (the last 4096), so a
// batch offered again after a partial failure is not stored twice.
//
// Owned by whoever adds it to a service (shared_ptr). Thread-safe (uploads
// are serialised). Transient failures (429, 5xx, connection) are retried
// with backoff honouring Retry-After, as GcpApiOptions says.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>

#include "tai/gcp/api_options.h"
#include "tai/profile/profile_sink.h"

namespace tai::internal {
class GcpApiClient;
}

namespace tai::gcp {

struct CloudProfilerSinkOptions {
  GcpApiOptions api;
  // Overrides of Resource::service_name and service_version ("" keeps them).
  std::string target;
  std::string version;
  std::string zone;
  // Further deployment labels; "language" is "cpp" unless set here.
  std::map<std::string, std::string> labels;
};

class CloudProfilerSink : public ProfileSink {
 public:
  // Fails, naming the problem, on an empty project or a bad endpoint.
  static Result<std::shared_ptr<CloudProfilerSink>> Create(CloudProfilerSinkOptions options);
  ~CloudProfilerSink() override;
  std::string name() const override { return "cloud-profiler"; }
  // Uploads every profile not yet taken; stops at the first failure.
  Status Export(std::span<const UploadedProfile> batch, const Resource& resource) override;
  // One profile (a saved one, say): one createOffline request.
  Status Upload(const UploadedProfile& profile, const Resource& resource);

 private:
  explicit CloudProfilerSink(CloudProfilerSinkOptions options);
  Status UploadLocked(const UploadedProfile& profile, const Resource& resource);

  const CloudProfilerSinkOptions options_;
  std::mutex mu_;
  std::unique_ptr<internal::GcpApiClient> client_;
  std::set<std::string> delivered_;
  std::deque<std::string> delivered_order_;
};

}  // namespace tai::gcp

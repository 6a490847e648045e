#include "tai/gcp/cloud_profiler_sink.h"

#include "core/base64.h"
#include "gcp/api_client.h"
#include "gcp/profiler_api.h"
#include "tai/profile/pprof.h"

namespace tai::gcp {
namespace {

constexpr size_t kRememberedIds = 4096;

}  // namespace

Result<std::shared_ptr<CloudProfilerSink>> CloudProfilerSink::Create(
    CloudProfilerSinkOptions options) {
  TAI_RETURN_IF_ERROR(options.api.Validate("Cloud Profiler"));
  TAI_RETURN_IF_ERROR(
      internal::ValidateProfilerLabels(options.labels, "Cloud Profiler deployment labels"));
  return std::shared_ptr<CloudProfilerSink>(new CloudProfilerSink(std::move(options)));
}

CloudProfilerSink::CloudProfilerSink(CloudProfilerSinkOptions options)
    : options_(std::move(options)),
      client_(
          std::make_unique<internal::GcpApiClient>(options_.api, "Cloud Profiler createOffline")) {}

CloudProfilerSink::~CloudProfilerSink() = default;

Status CloudProfilerSink::Export(std::span<const UploadedProfile> batch, const Resource& resource) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const UploadedProfile& p : batch) {
    if (delivered_.count(p.id)) continue;
    TAI_RETURN_IF_ERROR(UploadLocked(p, resource));
  }
  return Status::Ok();
}

Status CloudProfilerSink::Upload(const UploadedProfile& profile, const Resource& resource) {
  std::lock_guard<std::mutex> lock(mu_);
  return UploadLocked(profile, resource);
}

Status CloudProfilerSink::UploadLocked(const UploadedProfile& p, const Resource& resource) {
  internal::ProfilerDeployment d{
      .project_id = options_.api.project_id,
      .target = options_.target.empty() ? resource.service_name : options_.target};
  d.labels = options_.labels;
  d.labels.emplace("language", "cpp");
  const std::string& version =
      options_.version.empty() ? resource.service_version : options_.version;
  if (!version.empty()) d.labels["version"] = version;
  if (!options_.zone.empty()) d.labels["zone"] = options_.zone;
  TAI_RETURN_IF_ERROR(d.Validate().WithContext("profile " + p.id));
  TAI_RETURN_IF_ERROR(internal::ValidateProfilerLabels(p.labels, "profile " + p.id + " labels"));

  std::string body = "{\"profileType\":\"";
  body += ProfileKindName(p.kind);
  body += "\",\"deployment\":";
  d.AppendJson(body);
  body += ",\"duration\":\"" + internal::FormatProtoDuration(p.profile.duration_nanos) + "\"";
  body += ",\"profileBytes\":\"" + internal::Base64Encode(EncodePprof(p.profile)) + "\"";
  body += ",\"labels\":";
  internal::AppendStringMap(body, p.labels);
  body += '}';
  TAI_RETURN_IF_ERROR(client_->PostJson(options_.api.endpoints.profiler + "/v2/projects/" +
                                            options_.api.project_id + "/profiles:createOffline",
                                        std::move(body)));
  if (delivered_.insert(p.id).second) delivered_order_.push_back(p.id);
  while (delivered_order_.size() > kRememberedIds) {
    delivered_.erase(delivered_order_.front());
    delivered_order_.pop_front();
  }
  return Status::Ok();
}

}  // namespace tai::gcp

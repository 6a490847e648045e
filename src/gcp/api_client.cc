#include "gcp/api_client.h"

#include "core/text.h"

namespace tai::gcp {

Status GcpApiOptions::Validate(std::string_view api) const {
  if (project_id.empty()) {
    return InvalidArgumentError(std::string(api) + " exporter: the project id is empty");
  }
  return endpoints.Validate();
}

}  // namespace tai::gcp

namespace tai::internal {

std::string GenericTaskResourceJson(const std::string& project_id, const std::string& location,
                                    const Resource& resource) {
  std::string out = "{\"type\":\"generic_task\",\"labels\":{\"project_id\":";
  AppendJsonString(out, project_id);
  out += ",\"location\":";
  AppendJsonString(out, location);
  out += ",\"namespace\":";
  AppendJsonString(out, resource.service_name);
  out += ",\"job\":";
  AppendJsonString(out, resource.service_name);
  out += ",\"task_id\":";
  AppendJsonString(out, resource.instance_id);
  out += "}}";
  return out;
}

GcpApiClient::GcpApiClient(const gcp::GcpApiOptions& options, std::string api_name)
    : options_(options), api_name_(std::move(api_name)) {}

Status GcpApiClient::PostJson(const std::string& url, std::string body) {
  HttpClientRequest request;
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}};
  if (options_.tokens) {
    auto auth = options_.tokens->AuthorizationHeader();
    if (!auth.ok()) return auth.status().WithContext(api_name_);
    request.headers.emplace_back("Authorization", std::move(*auth));
  }
  request.body = std::move(body);
  request.gzip_body = true;
  request.timeout = options_.timeout;
  RetryPolicy policy;
  policy.max_attempts = options_.max_attempts;
  policy.initial_backoff = options_.initial_backoff;
  policy.max_backoff = options_.max_backoff;
  auto response = SendWithRetry(client_, request, policy);
  if (!response.ok()) return response.status().WithContext(api_name_ + " " + url);
  if (response->status < 200 || response->status >= 300) {
    return Status(response->status == 400 ? StatusCode::kInvalidArgument : StatusCode::kUnavailable,
                  api_name_ + ": HTTP " + std::to_string(response->status) + ": " +
                      response->body.substr(0, 300));
  }
  return Status::Ok();
}

}  // namespace tai::internal

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

GcpApiClient::GcpApiClient(const gcp::GcpApiOptions& options, std::string api_name)
    : options_(options), api_name_(std::move(api_name)) {}

std::unique_ptr<DeliveryQueue> MakeApiQueue(GcpApiClient& client, const std::string& name,
                                            const gcp::GcpApiOptions& options) {
  DeliveryOptions delivery = options.delivery;
  if (!delivery.spill_directory.empty()) delivery.spill_directory += "/" + name;
  return std::make_unique<DeliveryQueue>(
      name, std::move(delivery), [&client](const std::string& url, const std::string& body) {
        return client.PostOnce(url, body);
      });
}

Result<HttpClientRequest> GcpApiClient::MakeRequest(const std::string& url,
                                                    std::string body) const {
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
  return request;
}

DeliveryAttempt GcpApiClient::PostOnce(const std::string& url, const std::string& body) {
  Result<HttpClientRequest> request = MakeRequest(url, body);
  if (!request.ok()) return {DeliveryAttempt::kRetry, {}, request.status().message()};
  Result<HttpClientResponse> response = client_.Send(*request);
  if (!response.ok()) {
    return {DeliveryAttempt::kRetry, {}, response.status().WithContext(api_name_).message()};
  }
  const int code = response->status;
  if (code >= 200 && code < 300) return {};
  const std::string error =
      api_name_ + ": HTTP " + std::to_string(code) + ": " + response->body.substr(0, 300);
  if (IsRetryableStatus(code) || code == 401 || code == 403 || code >= 500) {
    return {DeliveryAttempt::kRetry, response->RetryAfter().value_or(std::chrono::milliseconds(0)),
            error};
  }
  return {DeliveryAttempt::kRejected, {}, error};
}

Status GcpApiClient::PostJson(const std::string& url, std::string body) {
  Result<HttpClientRequest> made = MakeRequest(url, std::move(body));
  if (!made.ok()) return made.status();
  HttpClientRequest& request = *made;
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

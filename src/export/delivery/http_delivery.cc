#include "export/delivery/http_delivery.h"

#include "export/http/http_client.h"

namespace tai::internal {

DeliveryAttempt ClassifyHttpAnswer(int http_status,
                                   std::optional<std::chrono::milliseconds> retry_delay,
                                   std::string error) {
  if (http_status >= 200 && http_status < 300) return {};
  if (IsRetryableStatus(http_status) || http_status == 401 || http_status == 403 ||
      http_status >= 500) {
    return {DeliveryAttempt::kRetry, retry_delay.value_or(std::chrono::milliseconds(0)),
            std::move(error)};
  }
  return {DeliveryAttempt::kRejected, {}, std::move(error)};
}

std::unique_ptr<DeliveryQueue> MakeHttpDeliveryQueue(std::string name, DeliveryOptions options,
                                                     HttpDeliveryTarget target) {
  // Used by the sender thread only, which is what HttpClient needs.
  auto client = std::make_shared<HttpClient>();
  target.headers.emplace_back("Content-Type", "application/json");
  auto deliver = [client, target = std::move(target), name](const std::string& queued_url,
                                                            const std::string& body) {
    const std::string& url = target.url.empty() ? queued_url : target.url;
    HttpClientRequest request{.url = url,
                              .headers = target.headers,
                              .body = body,
                              .gzip_body = target.gzip,
                              .timeout = target.timeout};
    Result<HttpClientResponse> response = client->Send(request);
    if (!response.ok()) {
      return DeliveryAttempt{
          DeliveryAttempt::kRetry, {}, response.status().WithContext(name + " " + url).message()};
    }
    return ClassifyHttpAnswer(response->status, response->RetryAfter(),
                              name + " " + url + ": HTTP " + std::to_string(response->status) +
                                  ": " + response->body.substr(0, 300));
  };
  return std::make_unique<DeliveryQueue>(std::move(name), std::move(options), std::move(deliver));
}

}  // namespace tai::internal

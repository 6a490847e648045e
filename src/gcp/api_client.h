// Internal: the one HTTP path of the Google Cloud exporters: JSON bodies,
// gzip, the bearer token, retries with backoff and jitter (honouring
// Retry-After), and the API's error message in the Status. Not thread-safe:
// each exporter serialises its calls (its DeliveryQueue's sender makes them).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "export/delivery/delivery_queue.h"
#include "export/http/http_client.h"
#include "tai/core/resource.h"
#include "tai/gcp/api_options.h"

namespace tai::internal {

class GcpApiClient;

// `s` percent-encoded for a query string or a form body: everything but
// [A-Za-z0-9._~-] as %XX.
std::string FormEncode(std::string_view s);

// The ordered outbox of one exporter, named `name` ("cloud-trace"),
// sending through a GcpApiClient for `api_name` made from a copy of
// `options`. The queue owns that client, so its sender never outlives what
// it sends through. Spills under <options.delivery.spill_directory>/<name>.
// Each request is sent to `endpoint` (the API's base URL now) and the
// project now, whatever the ones it was queued with: a request spilled
// before the endpoint or project changed goes where the exporter sends now.
std::unique_ptr<DeliveryQueue> MakeApiQueue(const gcp::GcpApiOptions& options, std::string api_name,
                                            const std::string& name, std::string endpoint);

// `url` ("https://old.host/v2/projects/p1/traces:batchWrite") on `endpoint`
// with `project`: "<endpoint>/v2/projects/<project>/traces:batchWrite".
std::string RetargetApiUrl(std::string_view url, std::string_view endpoint,
                           std::string_view project);

// A queued request as it is sent now: its URL retargeted, and its body's
// references to the project it was made for (the "logName", "trace" and
// "name" fields that start "projects/<old>/", a "project_id" label) moved
// to `project`. The
// old project comes from the URL's "/projects/<id>/" or, for APIs whose
// URL has none (Cloud Logging's entries:write), the body's first
// "projects/<id>/". `retargeted` says the request was made for another
// endpoint or project than the current ones.
struct RetargetedRequest {
  std::string url;
  std::string body;
  bool retargeted = false;
};
RetargetedRequest RetargetApiRequest(std::string_view url, std::string_view body,
                                     std::string_view endpoint, std::string_view project);

// What one call changes from the options' defaults.
struct GcpCallOptions {
  std::chrono::milliseconds timeout{0};  // 0: GcpApiOptions::timeout
  int max_attempts = 0;                  // 0: GcpApiOptions::max_attempts; 1: no retry
  const std::atomic<bool>* cancel = nullptr;
  // Waits between attempts and returns false to give up (shutdown); null sleeps.
  std::function<bool(std::chrono::milliseconds)> sleep_for;
};

struct GcpApiResponse {
  int http_status = 0;
  std::string body;
  // How long the API asked the caller to wait: the retryDelay of a
  // google.rpc.RetryInfo in the error's details, else Retry-After.
  std::optional<std::chrono::milliseconds> retry_delay;

  bool ok() const { return http_status >= 200 && http_status < 300; }
  // OK for a 2xx; an HTTP 400 is INVALID_ARGUMENT, anything else
  // UNAVAILABLE, each with the start of the API's answer.
  Status ToStatus(const std::string& api_name) const;
};

// The retryDelay of the first google.rpc.RetryInfo in an error body
// ({"error": {"details": [{"@type": ".../google.rpc.RetryInfo",
// "retryDelay": "3s"}]}}), if any.
std::optional<std::chrono::milliseconds> RetryDelayFromErrorBody(std::string_view body);

class GcpApiClient {
 public:
  GcpApiClient(const gcp::GcpApiOptions& options, std::string api_name);

  // POSTs `body` to `url`; errors as GcpApiResponse::ToStatus.
  Status PostJson(const std::string& url, std::string body);
  // One POST, classified for a DeliveryQueue: 2xx is delivered; transport
  // errors, 401, 403, 408, 429 and 5xx are worth retrying (a token or a
  // permission can come back; an outage ends), after the API's retry delay
  // when it gave one; other answers are rejected with the API's message.
  // A request `made_for` another endpoint or project (a spilled request
  // after the configuration changed; "" otherwise) is rejected on 401 and
  // 403 too: the permission it lacks is the new configuration's, and
  // waiting for it would hold every newer request behind it.
  DeliveryAttempt PostOnce(const std::string& url, const std::string& body,
                           std::string_view made_for = {});
  // Sends a JSON body with `method`. Any HTTP status is a response; a
  // transport failure, a cancelled transfer or retries used up are errors.
  Result<GcpApiResponse> Call(const std::string& method, const std::string& url, std::string body,
                              const GcpCallOptions& call = {});

  const std::string& api_name() const { return api_name_; }

 private:
  const gcp::GcpApiOptions& options_;
  const std::string api_name_;
  HttpClient client_;
};

}  // namespace tai::internal

// Internal: the one HTTP path of the Google Cloud exporters: JSON bodies,
// gzip, the bearer token, retries with backoff and jitter (honouring
// Retry-After), and the API's error message in the Status. Not thread-safe:
// each exporter serialises its calls (its DeliveryQueue's sender makes them).
#pragma once

#include <memory>
#include <string>

#include "export/delivery/delivery_queue.h"
#include "export/http/http_client.h"
#include "tai/gcp/api_options.h"
#include "tai/resource.h"

namespace tai::internal {

class GcpApiClient;

// The ordered outbox of one exporter, sending through `client` (which must
// outlive it). Spills under <options.delivery.spill_directory>/<name>.
std::unique_ptr<DeliveryQueue> MakeApiQueue(GcpApiClient& client, const std::string& name,
                                            const gcp::GcpApiOptions& options);

class GcpApiClient {
 public:
  GcpApiClient(const gcp::GcpApiOptions& options, std::string api_name);

  // POSTs `body` to `url`; an HTTP 400 is INVALID_ARGUMENT, other failures
  // UNAVAILABLE, each with the start of the API's answer.
  Status PostJson(const std::string& url, std::string body);
  // One attempt, classified for a DeliveryQueue: 2xx is delivered;
  // transport errors, 401, 403, 408, 429 and 5xx are worth retrying (a
  // token or a permission can come back; an outage ends); other answers are
  // rejected with the API's message.
  DeliveryAttempt PostOnce(const std::string& url, const std::string& body);

 private:
  Result<HttpClientRequest> MakeRequest(const std::string& url, std::string body) const;

  const gcp::GcpApiOptions& options_;
  const std::string api_name_;
  HttpClient client_;
};

}  // namespace tai::internal

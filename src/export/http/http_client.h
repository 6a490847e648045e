// Internal: the libcurl-based HTTP client every exporter uses (OTLP, Google
// Cloud, webhooks).
//
// One HttpClient per exporting thread: it keeps one curl handle, so
// connections are reused (keep-alive); it is not thread-safe. TLS peer and
// host verification stay on for every request (libcurl's default), which no
// option here turns off.
//
// SendWithRetry retries 408/429/500/502/503/504 and connection errors with
// exponential backoff and full jitter, honouring Retry-After; other errors
// come back at once with the server's message.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/status.h"

namespace tai::internal {

struct HttpClientRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool gzip_body = false;  // compress the body and send Content-Encoding: gzip
  std::chrono::milliseconds timeout{10'000};
  // When set, the transfer is abandoned (a CANCELLED error) within about a
  // second of it becoming true: how a long poll is cut short at shutdown.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  std::string_view Header(std::string_view name) const;
  // Retry-After as a delay (seconds or an HTTP date), when present.
  std::optional<std::chrono::milliseconds> RetryAfter() const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // A transport failure (refused, DNS, TLS, timeout) is an UNAVAILABLE or
  // DEADLINE_EXCEEDED error, a cancelled transfer CANCELLED; any HTTP status
  // is a response.
  Result<HttpClientResponse> Send(const HttpClientRequest& request);

 private:
  void* curl_;
};

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  double multiplier = 2.0;
};

bool IsRetryableStatus(int status);

// Sends, retrying as described above. `sleep_for` waits between attempts
// and returns false to give up early (shutdown); the default sleeps.
// The result is the last response or error; a final retryable status is
// reported as an UNAVAILABLE error carrying the response body.
Result<HttpClientResponse> SendWithRetry(
    HttpClient& client, const HttpClientRequest& request, const RetryPolicy& policy,
    const std::function<bool(std::chrono::milliseconds)>& sleep_for = nullptr);

}  // namespace tai::internal

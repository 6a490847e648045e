// Internal: delivery queues whose requests are HTTP POSTs (OTLP, Google
// Cloud), and the one rule for which answers are worth retrying.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "export/delivery/delivery_queue.h"

namespace tai::internal {

// 2xx is delivered; 401, 403, 408, 429 and 5xx are retried (a token or a
// permission can come back, an outage ends), after `retry_delay` when the
// server gave one; anything else is rejected with `error`.
DeliveryAttempt ClassifyHttpAnswer(int http_status,
                                   std::optional<std::chrono::milliseconds> retry_delay,
                                   std::string error);

struct HttpDeliveryTarget {
  // Where every request goes, those spilled by an earlier run included: the
  // destination is resolved when sending, so requests spilled before the
  // endpoint moved go to the new one. Empty: the URL each was queued with.
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type is added
  bool gzip = false;
  std::chrono::milliseconds timeout{10'000};
};

// A queue named `name` that POSTs each request as JSON with `target`'s
// headers, from its sender thread, over one kept-alive connection.
std::unique_ptr<DeliveryQueue> MakeHttpDeliveryQueue(std::string name, DeliveryOptions options,
                                                     HttpDeliveryTarget target);

}  // namespace tai::internal

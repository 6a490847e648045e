// GcpApiOptions: what every Google Cloud exporter needs to reach its API:
// the project, the endpoints, the access token source, the request timeout
// and the retry policy. A value type.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tai/export/delivery_options.h"
#include "tai/gcp/credentials.h"
#include "tai/gcp/token_source.h"

namespace tai::gcp {

struct GcpApiOptions {
  std::string project_id;
  GcpEndpoints endpoints;
  // Null sends no Authorization header (an emulator without auth).
  std::shared_ptr<AccessTokenSource> tokens;
  std::chrono::milliseconds timeout{10'000};  // per attempt
  // Retries of calls whose caller waits for the answer; the exporters'
  // requests are retried by their queue instead (see `delivery`).
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{10'000};
  // How each exporter holds requests while the API is unreachable; each
  // spills to its own subdirectory of delivery.spill_directory
  // ("cloud-trace", "cloud-monitoring", "cloud-logging").
  DeliveryOptions delivery;

  // The project is set and every endpoint is allowed.
  Status Validate(std::string_view api) const;
};

}  // namespace tai::gcp

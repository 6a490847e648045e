// GcpApiOptions: what every Google Cloud exporter needs to reach its API:
// the project, the endpoints, the access token source, the request timeout
// and the retry policy. A value type.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tai/gcp/credentials.h"
#include "tai/gcp/token_source.h"

namespace tai::gcp {

struct GcpApiOptions {
  std::string project_id;
  GcpEndpoints endpoints;
  // Null sends no Authorization header (an emulator without auth).
  std::shared_ptr<AccessTokenSource> tokens;
  std::chrono::milliseconds timeout{10'000};
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{10'000};

  // The project is set and every endpoint is allowed.
  Status Validate(std::string_view api) const;
};

}  // namespace tai::gcp

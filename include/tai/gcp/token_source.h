// AccessTokenSource: the access token every Google Cloud exporter sends,
// cached and refreshed by one background thread five minutes before it
// expires (or sooner for short-lived tokens), so that no application or
// export thread ever waits on the token endpoint after the first token.
// A failed refresh is retried with backoff while the old token, if still
// valid, keeps being served.
//
// Owned by the exporters' owner (shared_ptr). Thread-safe. The token is
// never logged; errors say what failed without it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tai/core/status.h"
#include "tai/gcp/credentials.h"

namespace tai::gcp {

class AccessTokenSource {
 public:
  explicit AccessTokenSource(std::unique_ptr<Credentials> credentials);
  ~AccessTokenSource();
  AccessTokenSource(const AccessTokenSource&) = delete;
  AccessTokenSource& operator=(const AccessTokenSource&) = delete;

  // The current token. Waits (up to `timeout`) only until the first one
  // arrives; an error says why there is none (the last fetch's failure).
  Result<std::string> Token(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // "Bearer <token>" for an Authorization header.
  Result<std::string> AuthorizationHeader(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  const Credentials& credentials() const { return *credentials_; }
  uint64_t fetches() const;
  uint64_t failures() const;

 private:
  void Run();

  const std::unique_ptr<Credentials> credentials_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::string token_;
  std::chrono::system_clock::time_point expiry_{};
  Status last_error_;
  uint64_t fetches_ = 0;
  uint64_t failures_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tai::gcp

#include "tai/gcp/token_source.h"

#include <algorithm>

#include "tai/core/ids.h"

namespace tai::gcp {

using std::chrono::system_clock;

namespace {

// Refresh this long before expiry, or at half the lifetime of a short token.
std::chrono::milliseconds RefreshLead(std::chrono::milliseconds lifetime) {
  return std::min<std::chrono::milliseconds>(std::chrono::minutes(5), lifetime / 2);
}

}  // namespace

AccessTokenSource::AccessTokenSource(std::unique_ptr<Credentials> credentials)
    : credentials_(std::move(credentials)), thread_([this] { Run(); }) {}

AccessTokenSource::~AccessTokenSource() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void AccessTokenSource::Run() {
  std::chrono::milliseconds backoff(1'000);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<AccessToken> token = credentials_->FetchToken();
    lock.lock();
    system_clock::time_point next;
    if (token.ok()) {
      token_ = std::move(token->value);
      expiry_ = token->expiry;
      last_error_ = Status::Ok();
      ++fetches_;
      backoff = std::chrono::milliseconds(1'000);
      const auto lifetime =
          std::chrono::duration_cast<std::chrono::milliseconds>(expiry_ - system_clock::now());
      next = expiry_ - RefreshLead(std::max(lifetime, std::chrono::milliseconds(0)));
    } else {
      last_error_ = token.status().WithContext("access token from " + credentials_->Describe());
      ++failures_;
      // Full jitter, so that many processes do not retry in step.
      const auto wait = std::chrono::milliseconds(
          static_cast<int64_t>(RandomU64() % static_cast<uint64_t>(backoff.count() + 1)));
      next = system_clock::now() + wait;
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::minutes(1));
    }
    changed_.notify_all();
    changed_.wait_until(lock, next, [&] { return stopping_; });
  }
}

Result<std::string> AccessTokenSource::Token(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto valid = [&] { return !token_.empty() && system_clock::now() < expiry_; };
  changed_.wait_for(lock, timeout, [&] { return valid() || fetches_ + failures_ > 0; });
  if (valid()) return token_;
  if (!last_error_.ok()) return last_error_;
  return UnavailableError("no access token from " + credentials_->Describe() + " within " +
                          std::to_string(timeout.count()) + " ms");
}

Result<std::string> AccessTokenSource::AuthorizationHeader(std::chrono::milliseconds timeout) {
  TAI_ASSIGN_OR_RETURN(auto token, Token(timeout));
  return "Bearer " + token;
}

uint64_t AccessTokenSource::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

uint64_t AccessTokenSource::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

}  // namespace tai::gcp

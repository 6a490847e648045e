// Internal: what every shipped notifier shares: the checked receiver URL,
// one HttpClient (the dispatcher calls a notifier from one thread at a
// time), the mapping of an HTTP answer to a NotifyOutcome, and the
// scrubbing of secrets out of every message.
//
// Not thread-safe, except Cancel().
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "export/http/http_client.h"
#include "tai/alert/alert.h"
#include "tai/alert/notifier.h"
#include "tai/core/status.h"

namespace tai::internal {

// OK when `url` is an http(s) URL with a host and no spaces or control
// characters. The error names `field` and shows the URL redacted.
Status CheckNotifierUrl(std::string_view field, std::string_view url);

// RFC 3339 in UTC; Go's zero time, "0001-01-01T00:00:00Z", for 0 (what
// Alertmanager's payloads carry for an unset time).
std::string AlertTime(int64_t wall_nanos);

// The "summary" annotation, else the alertname label, else the rule id.
std::string AlertSummary(const Alert& alert);

class HttpNotifier : public Notifier {
 public:
  // `secrets` are scrubbed from every error (the URL, its path, keys,
  // header values); `description` is what Describe() shows.
  HttpNotifier(std::string name, std::string description, std::vector<std::string> secrets,
               std::chrono::milliseconds timeout);
  ~HttpNotifier() override;

  const std::string& name() const override { return name_; }
  std::string Describe() const override { return description_; }
  void Cancel() override { cancel_.store(true); }

 protected:
  // POSTs `body` as JSON and maps the answer: 2xx ok; 408, 429, 5xx and
  // transport errors retryable, with Retry-After; other answers an error
  // carrying the receiver's message, trimmed and without secrets.
  NotifyOutcome PostJson(const std::string& url, std::string body,
                         const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  std::string Scrub(std::string text) const;

  const std::string name_;
  const std::string description_;
  const std::vector<std::string> secrets_;
  const std::chrono::milliseconds timeout_;
  std::unique_ptr<HttpClient> client_;  // made on the sending thread, on first use
  std::atomic<bool> cancel_{false};
};

}  // namespace tai::internal

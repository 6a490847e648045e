// Notifier: sends alerts (firing and resolved) to one receiver: a generic
// webhook in Alertmanager's webhook payload, Slack, PagerDuty Events v2, or
// Alertmanager's API v2 (tai/alert/notifiers.h). The NotificationDispatcher
// (tai/alert/notification_dispatcher.h) calls it from its own thread, retries
// it and records every attempt; a notifier never runs on the application's
// or the evaluator's thread.
//
// Implementations are called from one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tai/alert/alert.h"
#include "tai/core/status.h"
#include "tai/store/alert_records.h"  // NotificationAttempt, as stored

namespace tai {

// What one delivery attempt came to.
struct NotifyOutcome {
  Status status;                             // OK when the receiver accepted the alerts
  int http_status = 0;                       // 0 when no response arrived
  bool retryable = false;                    // connection errors, 429, 5xx
  std::chrono::milliseconds retry_after{0};  // the receiver's Retry-After, if any
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // The name rules refer to in notification_channels ("slack", ...).
  virtual const std::string& name() const = 0;
  // Delivers the alerts in one request where the receiver allows it.
  // Errors never contain the URL's secret parts or keys.
  virtual NotifyOutcome Send(const std::vector<Alert>& alerts) = 0;

  // What the notifier is, for logs and the dashboard: "slack
  // https://hooks.slack.com/…". Never holds a secret (URL paths, keys).
  virtual std::string Describe() const { return name(); }
  // The shortest time between two Sends the receiver tolerates (Slack: about
  // one message a second). The dispatcher waits for it; it never drops an
  // alert because of it.
  virtual std::chrono::milliseconds min_send_interval() const { return {}; }
  // The most alerts one Send should carry; 0 for no limit. PagerDuty's
  // events API takes one event a request: one a Send keeps one bad alert
  // from failing the others, and each attempt's outcome is that alert's.
  virtual size_t max_batch() const { return 0; }
  // Called from another thread at shutdown: a Send in progress gives up
  // within about a second with a CANCELLED error.
  virtual void Cancel() {}
};

}  // namespace tai

// Alert history as the embedded store keeps it: every state change of every
// alert and every notification attempt with its outcome. The alert engine
// and the notification dispatcher (tai/alert/) write them; the dashboard and
// `taiobs` read them back (Store::SearchAlertEvents, SearchNotifications).
//
// Value types. Not synchronised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "tai/core/labels.h"

namespace tai {

// One alert entering a state, or being acknowledged (state "acknowledged":
// the alert keeps its state; the annotation "comment" holds what the person
// who acknowledged it wrote, when anything).
struct AlertEventRecord {
  int64_t time_nanos = 0;
  std::string rule_id;
  std::string fingerprint;  // AlertFingerprint(labels)
  LabelSet labels;
  std::string state;  // "pending", "firing", "resolved", "inactive", "acknowledged"
  double value = 0;
  std::map<std::string, std::string> annotations;
};

// One attempt to deliver one alert's state to one notifier.
struct NotificationAttempt {
  int64_t time_nanos = 0;
  std::string notifier;
  std::string fingerprint;
  std::string rule_id;
  std::string state;  // what was sent: "firing" or "resolved"
  int attempt = 1;    // 1 for the first try
  bool ok = false;
  int http_status = 0;  // 0 when no response arrived
  std::string error;    // empty when ok; never holds a secret
};

// Alert events newest first; empty fields match everything.
struct AlertEventQuery {
  int64_t start_nanos = 0;  // inclusive
  int64_t end_nanos = 0;    // exclusive; 0: no end
  std::string rule_id;
  std::string fingerprint;
  std::string state;
  size_t limit = 0;  // 0: the store's max_rows_per_query
};

// Notification attempts newest first; empty fields match everything.
struct NotificationQuery {
  int64_t start_nanos = 0;  // inclusive
  int64_t end_nanos = 0;    // exclusive; 0: no end
  std::string rule_id;
  std::string fingerprint;
  std::string notifier;
  size_t limit = 0;  // 0: the store's max_rows_per_query
};

}  // namespace tai

// Alert: one instance of an alert as the alert engine tracks it and the
// notifiers send it. A rule with `group_by` labels yields one Alert per
// group; an SLO one per burn-rate window pair; the regression detector one
// per (function, profile kind). The identity of an Alert is its label set
// (its fingerprint): the same labels are the same alert, deduplicated.
//
// A value type. Not synchronised.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "tai/core/labels.h"
#include "tai/core/status.h"

namespace tai {

// inactive -> pending (the condition holds, `for`/trigger count not yet met)
// -> firing -> resolved (the condition no longer holds, or its series went
// away). A pending alert whose condition stops holding goes back to inactive
// and is never notified.
enum class AlertState { kInactive, kPending, kFiring, kResolved };

std::string_view AlertStateName(AlertState state);  // "inactive", "pending", ...
Result<AlertState> ParseAlertState(std::string_view name);

struct Alert {
  std::string rule_id;  // the rule, SLO or "profile-regression" that raised it
  // alertname (the rule's display name or id), severity, the group's labels
  // and the rule's own labels. What a receiver groups and routes on.
  LabelSet labels;
  // summary, description, runbook_url...: the rule's annotation templates
  // with {{ $value }} and {{ $labels.<key> }} expanded.
  std::map<std::string, std::string> annotations;
  AlertState state = AlertState::kInactive;
  double value = 0;               // the value of the last evaluation
  int64_t active_at_nanos = 0;    // when the condition first held (pending)
  int64_t fired_at_nanos = 0;     // when it began firing: Alertmanager's startsAt
  int64_t resolved_at_nanos = 0;  // when it resolved: endsAt; 0 while active
  // When someone acknowledged it (AlertEngine::Acknowledge); 0: not. An
  // acknowledged firing alert sends no repeat notifications; a new episode
  // (pending again after it resolved) starts unacknowledged.
  int64_t acknowledged_at_nanos = 0;
  std::string generator_url;  // a link to the dashboard's view of the rule
};

// A stable 64-bit hash of the label set, as 16 lowercase hex digits: the
// deduplication key (PagerDuty's dedup_key, the store's alert id).
std::string AlertFingerprint(const LabelSet& labels);

// The alert's severity label ("page", "ticket", "critical", "warning", ...),
// or "warning" when it has none.
std::string_view AlertSeverityLabel(const Alert& alert);

}  // namespace tai

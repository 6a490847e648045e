// Internal: the state machine behind every kind of alert. One AlertTracker
// per rule (an AlertingRule, an SLO's burn-rate alert, the regression
// detector) keeps one Alert per group and moves it through
//   inactive -> pending -> firing -> resolved
// from what each evaluation observed. Whoever computes the values (the
// engine's rule evaluator, the SLO evaluator, the regression detector)
// calls Evaluate with one Observation per group; the tracker does the rest:
// trigger_count and `for`, missing data, repeat notifications, the
// annotations, the limit on tracked alerts. It neither queries nor
// notifies: Evaluate returns the state changes to record and the alerts to
// notify, and the caller hands them on (outside its locks).
//
//   internal::AlertTracker tracker(settings);
//   auto update = tracker.Evaluate(now, {{.labels = LabelSet({{"window", "1h"}}),
//                                         .value = 14.4, .holds = true}});
//   for (const Alert& a : update.notify) dispatcher.Enqueue(a, channels);
//   store.AddAlertEvents(std::move(update.events));
//
// For an SLO, build AlertTrackerSettings by hand (rule_id "slo:<id>") and
// pass one Observation per burn-rate window pair, labelled with
// BurnRateAlertLabels (which carry its severity); for the regression
// detector, one per (function, profile kind) with no_data kResolve (a
// regression absent from a later comparison is over), its severity band in
// `start_labels` (fixed for the alert's life, so that a change moving
// across a band boundary keeps its identity) and its current band in
// `annotations`. The engine's alert_tracker_test shows a tracker driven
// directly.
//
// Not synchronised: the caller serialises Evaluate and Alerts.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_template.h"
#include "tai/alert/alert.h"
#include "tai/alert/alerting_rule.h"
#include "tai/store/alert_records.h"

namespace tai::internal {

// The rule-like settings a tracker applies.
struct AlertTrackerSettings {
  std::string rule_id;
  std::string alertname;                      // the alertname label
  std::map<std::string, std::string> labels;  // added to every alert (severity...)
  // Templates ($value, $threshold, $labels.<key>), checked with
  // AlertTemplate::Parse by MakeAlertTrackerSettings.
  std::map<std::string, AlertTemplate> annotations;
  double threshold = 0;  // for {{ $threshold }}
  int32_t trigger_count = 1;
  std::chrono::nanoseconds for_duration{0};
  NoDataPolicy no_data = NoDataPolicy::kKeepState;
  std::chrono::nanoseconds resolve_missing_after = std::chrono::minutes(5);
  std::chrono::nanoseconds repeat_interval = std::chrono::hours(4);
  // How long a resolved alert stays listed by Alerts().
  std::chrono::nanoseconds keep_resolved = std::chrono::minutes(15);
  std::string generator_url;
};

// The settings of an AlertingRule; INVALID_ARGUMENT naming the rule and
// the annotation when a template is bad.
Result<AlertTrackerSettings> MakeAlertTrackerSettings(const AlertingRule& rule,
                                                      const std::string& generator_url);

// What one evaluation saw for one group.
struct Observation {
  LabelSet labels;  // the group's labels (empty: the rule as a whole)
  double value = 0;
  bool holds = false;  // the condition (value op threshold)
  // The group is known but had no (or too little) data: the rule's
  // no_data policy decides. A group the tracker holds that is absent from
  // an evaluation's observations counts as no data too.
  bool no_data = false;
  // Added to the alert's labels only when tracking of the group starts (or
  // an alert resolved and still listed fires again), and no part of the
  // group's identity: properties fixed for the alert's life, such as a
  // regression's severity band when it began. The group's labels and the
  // settings' labels win over them.
  std::map<std::string, std::string> start_labels;
  // Set on the alert at each evaluation with data, before the settings'
  // templates (which win for the same key): values that change while the
  // alert fires (a regression's current band and change, a burn-rate
  // summary).
  std::map<std::string, std::string> annotations;
};

struct AlertTrackerUpdate {
  std::vector<AlertEventRecord> events;  // every state change, in order
  std::vector<Alert> notify;             // became firing, repeats, resolutions
  uint64_t dropped = 0;                  // new alerts refused at the limit
};

class AlertTracker {
 public:
  explicit AlertTracker(AlertTrackerSettings settings) : settings_(std::move(settings)) {}

  // One evaluation at `now` (Unix ns). At most `capacity` alerts are
  // tracked after it; new groups beyond that are refused and counted.
  AlertTrackerUpdate Evaluate(int64_t now, const std::vector<Observation>& observations,
                              size_t capacity = SIZE_MAX);

  // Pending and firing alerts, and those resolved within keep_resolved.
  std::vector<Alert> Alerts() const;

  // Marks the pending or firing alert whose fingerprint (AlertFingerprint of
  // its labels) is `fingerprint` acknowledged at `now` (a second
  // acknowledgement keeps the first time) and returns the "acknowledged"
  // event to record, with `comment` as its annotation "comment".
  // NOT_FOUND when this tracker holds no such alert; FAILED_PRECONDITION
  // when it is resolved.
  Result<AlertEventRecord> Acknowledge(std::string_view fingerprint, int64_t now,
                                       const std::string& comment);
  size_t size() const { return entries_.size(); }
  const AlertTrackerSettings& settings() const { return settings_; }

 private:
  struct Entry {
    LabelSet group;
    Alert alert;
    int32_t consecutive = 0;  // evaluations in a row the condition held
    int64_t last_seen = 0;    // the last evaluation with data
    int64_t last_notified = 0;
  };
  Entry MakeEntry(const LabelSet& group, int64_t now,
                  const std::map<std::string, std::string>& start_labels = {}) const;
  void Apply(Entry& e, int64_t now, double value, bool holds, AlertTrackerUpdate& out);
  void MissingData(Entry& e, int64_t now, AlertTrackerUpdate& out);
  void Transition(Entry& e, AlertState to, int64_t now, AlertTrackerUpdate& out);
  static AlertEventRecord Event(const Entry& e, std::string state, int64_t now);
  void ExpandAnnotations(Alert& alert) const;

  AlertTrackerSettings settings_;
  std::map<std::string, Entry> entries_;  // by fingerprint
};

}  // namespace tai::internal

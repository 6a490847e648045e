#include "alert/alert_tracker.h"

#include <limits>
#include <set>

namespace tai::internal {

Result<AlertTrackerSettings> MakeAlertTrackerSettings(const AlertingRule& rule,
                                                      const std::string& generator_url) {
  AlertTrackerSettings s;
  s.rule_id = rule.id;
  s.alertname = rule.display_name.empty() ? rule.id : rule.display_name;
  s.labels = rule.labels;
  for (const auto& [key, text] : rule.annotations) {
    auto t = AlertTemplate::Parse(text);
    if (!t.ok()) {
      return InvalidArgumentError("rule '" + rule.id + "': field 'annotations." + key +
                                  "': " + t.status().message());
    }
    s.annotations.emplace(key, std::move(*t));
  }
  s.threshold = rule.threshold;
  s.trigger_count = rule.trigger_count;
  s.for_duration = rule.for_duration;
  s.no_data = rule.no_data;
  s.resolve_missing_after = rule.resolve_missing_after;
  s.repeat_interval = rule.repeat_interval;
  s.generator_url = generator_url;
  return s;
}

AlertTracker::Entry AlertTracker::MakeEntry(
    const LabelSet& group, int64_t now,
    const std::map<std::string, std::string>& start_labels) const {
  // The start labels, the group's labels, then the rule's (they win), then
  // alertname.
  std::vector<std::pair<std::string, std::string>> pairs(start_labels.begin(), start_labels.end());
  for (const auto& kv : group.labels()) pairs.push_back(kv);
  for (const auto& [k, v] : settings_.labels) pairs.emplace_back(k, v);
  pairs.emplace_back("alertname", settings_.alertname);
  Entry e;
  e.group = group;
  e.alert.rule_id = settings_.rule_id;
  e.alert.labels = LabelSet::FromPairs(std::move(pairs));
  e.alert.generator_url = settings_.generator_url;
  e.last_seen = now;
  return e;
}

AlertTrackerUpdate AlertTracker::Evaluate(int64_t now, const std::vector<Observation>& observations,
                                          size_t capacity) {
  AlertTrackerUpdate out;
  std::set<std::string> seen;
  for (const Observation& o : observations) {
    // The identity leaves the start labels out: they are fixed when the
    // alert starts, not compared afterwards.
    const std::string fp = AlertFingerprint(MakeEntry(o.labels, now).alert.labels);
    if (!seen.insert(fp).second) continue;  // one observation per group
    const bool starts = o.no_data ? settings_.no_data == NoDataPolicy::kAlert : o.holds;
    auto it = entries_.find(fp);
    if (it == entries_.end()) {
      // Only a condition that holds starts tracking a group.
      if (!starts) continue;
      if (entries_.size() >= capacity) {
        ++out.dropped;
        continue;
      }
      it = entries_.emplace(fp, MakeEntry(o.labels, now, o.start_labels)).first;
    } else if (starts && !o.start_labels.empty() &&
               it->second.alert.state == AlertState::kResolved) {
      // A new episode of a resolved alert still listed: its start labels
      // are those of this start.
      it->second.alert.labels = MakeEntry(o.labels, now, o.start_labels).alert.labels;
    }
    if (o.no_data) {
      MissingData(it->second, now, out);
    } else {
      it->second.last_seen = now;
      for (const auto& [k, v] : o.annotations) it->second.alert.annotations[k] = v;
      Apply(it->second, now, o.value, o.holds, out);
    }
  }
  for (auto& [fp, e] : entries_) {
    if (!seen.contains(fp)) MissingData(e, now, out);
  }
  const int64_t keep = settings_.keep_resolved.count();
  std::erase_if(entries_, [&](const auto& kv) {
    const Alert& a = kv.second.alert;
    return a.state == AlertState::kInactive ||
           (a.state == AlertState::kResolved && now - a.resolved_at_nanos >= keep);
  });
  return out;
}

// A group that went away resolves after resolve_missing_after, except the
// rule-wide alert of a rule that alerts on absent data: that is its point.
// Only that alert starts from missing data; a group that went away and
// resolved stays resolved.
void AlertTracker::MissingData(Entry& e, int64_t now, AlertTrackerUpdate& out) {
  const AlertState state = e.alert.state;
  const bool active = state == AlertState::kPending || state == AlertState::kFiring;
  const bool absence_alert = settings_.no_data == NoDataPolicy::kAlert && e.group.empty();
  if (active && !absence_alert && now - e.last_seen >= settings_.resolve_missing_after.count()) {
    Apply(e, now, e.alert.value, false, out);
    return;
  }
  switch (settings_.no_data) {
    case NoDataPolicy::kKeepState:
      return;
    case NoDataPolicy::kAlert:
      if (active || absence_alert) Apply(e, now, e.alert.value, true, out);
      return;
    case NoDataPolicy::kResolve:
      if (active) Apply(e, now, e.alert.value, false, out);
      return;
  }
}

void AlertTracker::Apply(Entry& e, int64_t now, double value, bool holds, AlertTrackerUpdate& out) {
  Alert& a = e.alert;
  a.value = value;
  ExpandAnnotations(a);
  if (!holds) {
    e.consecutive = 0;
    if (a.state == AlertState::kPending) {
      Transition(e, AlertState::kInactive, now, out);
    } else if (a.state == AlertState::kFiring) {
      a.resolved_at_nanos = now;
      Transition(e, AlertState::kResolved, now, out);
      out.notify.push_back(a);
    }
    return;
  }
  ++e.consecutive;
  if (a.state == AlertState::kInactive || a.state == AlertState::kResolved) {
    a.active_at_nanos = now;
    a.fired_at_nanos = 0;
    a.resolved_at_nanos = 0;
    a.acknowledged_at_nanos = 0;  // a new episode: nobody has seen it yet
    Transition(e, AlertState::kPending, now, out);
  }
  if (a.state == AlertState::kPending) {
    if (e.consecutive >= settings_.trigger_count &&
        now - a.active_at_nanos >= settings_.for_duration.count()) {
      a.fired_at_nanos = now;
      Transition(e, AlertState::kFiring, now, out);
      e.last_notified = now;
      out.notify.push_back(a);
    }
  } else if (a.state == AlertState::kFiring && a.acknowledged_at_nanos == 0 &&
             now - e.last_notified >= settings_.repeat_interval.count()) {
    // Repeats remind until someone acknowledges; the resolution still goes out.
    e.last_notified = now;
    out.notify.push_back(a);
  }
}

void AlertTracker::Transition(Entry& e, AlertState to, int64_t now, AlertTrackerUpdate& out) {
  e.alert.state = to;
  out.events.push_back(Event(e, std::string(AlertStateName(to)), now));
}

AlertEventRecord AlertTracker::Event(const Entry& e, std::string state, int64_t now) {
  return {.time_nanos = now,
          .rule_id = e.alert.rule_id,
          .fingerprint = AlertFingerprint(e.alert.labels),
          .labels = e.alert.labels,
          .state = std::move(state),
          .value = e.alert.value,
          .annotations = e.alert.annotations};
}

// Entries are keyed by the group's identity, which leaves the start labels
// out; the fingerprint people see is that of the alert's labels.
Result<AlertEventRecord> AlertTracker::Acknowledge(std::string_view fingerprint, int64_t now,
                                                   const std::string& comment) {
  for (auto& [key, e] : entries_) {
    Alert& a = e.alert;
    if (a.state == AlertState::kInactive || AlertFingerprint(a.labels) != fingerprint) continue;
    if (a.state == AlertState::kResolved) {
      const std::string* name = a.labels.Find("alertname");
      return FailedPreconditionError("alert " + std::string(fingerprint) + " (" +
                                     (name ? *name : a.rule_id) +
                                     ") is resolved: only a pending or firing alert can be "
                                     "acknowledged");
    }
    if (a.acknowledged_at_nanos == 0) a.acknowledged_at_nanos = now;
    AlertEventRecord event = Event(e, "acknowledged", now);
    if (!comment.empty()) event.annotations["comment"] = comment;
    return event;
  }
  return NotFoundError("no alert with fingerprint " + std::string(fingerprint));
}

void AlertTracker::ExpandAnnotations(Alert& alert) const {
  for (const auto& [key, t] : settings_.annotations) {
    alert.annotations[key] = t.Expand(alert.value, settings_.threshold, alert.labels);
  }
}

std::vector<Alert> AlertTracker::Alerts() const {
  std::vector<Alert> out;
  for (const auto& [fp, e] : entries_) {
    if (e.alert.state != AlertState::kInactive) out.push_back(e.alert);
  }
  return out;
}

}  // namespace tai::internal

// AlertEngine: evaluates alerting rules against the embedded store on its
// own thread and keeps the state of every alert they raise (inactive ->
// pending -> firing -> resolved, tai/alert/alert.h). State changes are
// recorded in the store's alert history; alerts that become firing, repeat
// or resolve are handed to `notify` (the notification dispatcher's Enqueue,
// which never blocks). The engine only reads the store through its query
// API, so the application's writes never wait on an evaluation.
//
//   auto engine = tai::AlertEngine::Create({.store = store.get(),
//                                           .notify = dispatcher_enqueue});
//   (*engine)->AddRule({.id = "high-error-rate", .metric_type = "app/errors",
//                       .threshold = 5.0, .trigger_count = 2});
//   (*engine)->Start();
//
// Rules may also come from a YAML or JSON rule file (`rule_file`), checked
// for changes every few seconds on the evaluation thread and swapped in
// atomically; a bad new version keeps the old rules and reports why.
//
// One engine for every alert: SLOs (AddSlo, or `slos:` in the rule file)
// are evaluated at their interval with EvaluateBurnRateAlerts, one alert per
// burn-rate window pair; the continuous profiler's comparisons come in
// through ReportRegressions, one alert per (function, profile kind). All of
// them share the state machine, the alert limit, the history and `notify`.
//
// Owned by the application or Observability (unique_ptr); the destructor
// stops the thread. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tai/alert/alert.h"
#include "tai/alert/alerting_rule.h"
#include "tai/alert/slo.h"
#include "tai/alert/slo_evaluator.h"
#include "tai/analysis/regression.h"
#include "tai/core/status.h"
#include "tai/profile/profile_sink.h"
#include "tai/store/alert_records.h"

namespace tai {

class Store;

struct AlertEngineOptions {
  // Read for every evaluation; alert history is written to it (unless
  // record_to_store is false). Not owned; must outlive the engine. May be
  // null only in tests that give every rule no data.
  Store* store = nullptr;
  // Unix nanoseconds. Default: the wall clock. Tests inject their own and
  // call EvaluateOnce.
  std::function<int64_t()> clock;
  // Called for an alert that became firing, repeats or resolved, with the
  // rule's notification channels (empty: every notifier). Must not block:
  // the dispatcher's Enqueue. May be empty.
  std::function<void(const Alert&, const std::vector<std::string>& channels)> notify;
  // Called with every state change, from the evaluating thread, and with
  // every acknowledgement, from the thread that called Acknowledge. May be
  // empty.
  std::function<void(const AlertEventRecord&)> record;
  // Write every state change to store->AddAlertEvents. Default: true.
  bool record_to_store = true;
  // The dashboard's address ("http://127.0.0.1:9464"): an alert's
  // generator_url is <base>/alerts/<rule id>. Empty: no link.
  std::string generator_url_base;
  // Alerts tracked at once over all rules; new ones past it are refused
  // and counted (stats().alerts_dropped). Default: 10000.
  size_t max_alerts = 10'000;
  // A rule file (YAML, or JSON by its .json extension) loaded by Create and
  // watched for changes; its rules and SLOs are replaced together, or not at
  // all. Empty: rules and SLOs come only from AddRule/ReplaceRules/AddSlo.
  std::string rule_file;
  // How often the evaluation thread checks the rule file (its size, mtime
  // and content hash). Default: 5 s.
  std::chrono::milliseconds rule_file_check_interval{5'000};
  // Called from the evaluation thread when a changed rule file is rejected;
  // the old rules stay. May be empty (the error is in stats().last_error).
  std::function<void(const Status&)> on_rule_file_error;
  // The longest the evaluation thread sleeps between checks. Default: 1 s.
  std::chrono::milliseconds max_idle{1'000};
};

struct AlertEngineStats {
  uint64_t evaluations = 0;          // rule evaluations done
  uint64_t evaluation_failures = 0;  // evaluations whose query failed
  uint64_t slow_evaluations = 0;     // evaluations that took longer than their interval
  uint64_t notifications = 0;        // alerts handed to `notify`
  uint64_t alerts_dropped = 0;       // new alerts refused at max_alerts
  uint64_t rule_file_reloads = 0;    // changed rule files applied
  uint64_t rule_file_errors = 0;     // changed rule files rejected
  uint64_t slo_evaluations = 0;      // SLO evaluations done (failures in evaluation_failures)
  uint64_t regression_reports = 0;   // ReportRegressions calls
  size_t rules = 0;
  size_t slos = 0;
  size_t alerts = 0;       // tracked now (pending, firing, recently resolved)
  std::string last_error;  // the last failed evaluation or rejected rule file
};

// The last evaluation of one SLO, for the dashboard: its budget over the
// SLO's window and each burn-rate alert's windows, with how much of each
// window has data (a service younger than a window reads coverage < 1).
struct SloStatus {
  Slo slo;
  int64_t evaluated_at_nanos = 0;          // 0: not evaluated yet
  ErrorBudget budget;                      // ComputeErrorBudget over slo.window
  std::vector<BurnRateStatus> burn_rates;  // one per slo.burn_rate_alerts entry
  std::string error;                       // why the last evaluation failed; "" when it succeeded
};

class AlertEngine {
 public:
  static Result<std::unique_ptr<AlertEngine>> Create(AlertEngineOptions options);
  ~AlertEngine();
  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  // Validates the rule and its annotation templates; ALREADY_EXISTS when a
  // rule with its id exists. The rule is due at once.
  Status AddRule(AlertingRule rule);
  // The original design's name for AddRule.
  Status CreateAlertingRule(AlertingRule rule) { return AddRule(std::move(rule)); }
  // Forgets the rule and its alerts (without notifying); NOT_FOUND when absent.
  Status RemoveRule(std::string_view id);
  // Replaces every rule at once, or none when one is invalid. Alerts of a
  // rule that is unchanged (same id, same fields) keep their state; a
  // changed rule starts afresh.
  Status ReplaceRules(std::vector<AlertingRule> rules);
  std::vector<AlertingRule> Rules() const;

  // Validates the SLO (ValidateSlo, its annotation templates); ALREADY_EXISTS
  // when an SLO with its id (SloId) exists. It is due at once. Its alerts
  // belong to rule "slo:<id>", are named BurnRateAlertName and labelled
  // BurnRateAlertLabels (severity page/ticket) per burn-rate pair, and go to
  // its notification_channels. The annotations are its templates ($value:
  // the long window's burn rate, $threshold: the factor) over a default
  // "summary" (BurnRateAlertSummary).
  Status AddSlo(Slo slo);
  // Forgets the SLO and its alerts (without notifying); NOT_FOUND when absent.
  Status RemoveSlo(std::string_view id);
  std::vector<Slo> Slos() const;
  // Per SLO (by id), the last evaluation.
  std::vector<SloStatus> SloStatuses() const;

  // The result of one comparison of the continuous profiler (every one, also
  // those with no regression: that is how an alert learns it is over), for
  // the profiles of `kind`. One alert per (function, kind), labelled
  // {alertname="ProfileRegression", function, profile_kind} plus `severity`:
  // the band (AlertSeverityName: LOW, MEDIUM, HIGH, CRITICAL) when the alert
  // started, kept while it fires so that its identity does not change when
  // the increase crosses a band boundary; the current band and increase are
  // the annotations `current_severity` and `increase_percent`. Firing at
  // once, resolved by the first report without the function. Connect
  // ContinuousProfilingOptions::on_comparison here. Any thread.
  void ReportRegressions(ProfileKind kind, const std::vector<Regression>& regressions,
                         int64_t time_nanos);

  // Evaluates every rule and SLO due at clock() (and checks the rule file
  // when its check is due). A failed query is counted and leaves the rule's
  // (or SLO's) alerts as they were; the status is the last such failure.
  Status EvaluateOnce();

  // Evaluates on the engine's own thread until Stop (or the destructor).
  void Start();
  void Stop();

  // Pending and firing alerts (of rules, SLOs and regressions), and those
  // resolved in the last 15 minutes.
  std::vector<Alert> Alerts() const;

  // Someone has seen the pending or firing alert whose fingerprint
  // (AlertFingerprint of its labels) is `fingerprint`: it keeps its state,
  // but a firing alert sends no more repeat notifications (its resolution
  // still goes out; firing again after it resolved starts unacknowledged).
  // Sets Alert::acknowledged_at_nanos (the first acknowledgement's time) and
  // records an "acknowledged" event in the alert history with `comment` as
  // its annotation "comment". NOT_FOUND naming the fingerprint when no such
  // alert is tracked; FAILED_PRECONDITION when it is resolved. Any thread
  // (the dashboard's POST /api/alerts/<fingerprint>/ack).
  Status Acknowledge(std::string_view fingerprint, std::string comment = "");
  AlertEngineStats stats() const;

 private:
  struct State;
  explicit AlertEngine(AlertEngineOptions options);
  std::unique_ptr<State> state_;
};

}  // namespace tai

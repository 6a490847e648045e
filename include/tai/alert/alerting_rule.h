// AlertingRule: a threshold on a metric over a window, evaluated by the alert
// engine (tai/alert/alert_engine.h) against the embedded store. The first
// eight fields are the original design's, in its order, so its code
//   AlertingRule{.id = "high-error-rate", .display_name = "Error Rate > 5%",
//                .metric_type = "custom.googleapis.com/app/error_rate",
//                .threshold = 5.0,
//                .comparison_operator = ComparisonOperator::kGreaterThan,
//                .evaluation_window_secs = 300, .trigger_count = 2,
//                .notification_channels = {"projects/p/notificationChannels/1"}}
// compiles unchanged; the rest are what users of Prometheus rules expect.
// Rules also come from a YAML or JSON rule file (docs/alerting.md).
//
// A value type. Not synchronised.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/comparison.h"
#include "tai/core/status.h"
#include "tai/store/metric_query.h"

namespace tai {

// What one evaluation reduces the window of each series (or group) to.
enum class WindowAggregation {
  kMean,  // of the points; histograms: of the observations
  kMax,
  kMin,
  kLast,
  kP50,  // histograms: quantiles of the merged distribution
  kP95,
  kP99,
  kRate,      // counters: increase per second over the window
  kIncrease,  // counters: increase over the window
  kCount,     // histograms: observations in the window; others: points
};

std::string_view WindowAggregationName(WindowAggregation a);  // "mean", "p99", "rate", ...
Result<WindowAggregation> ParseWindowAggregation(std::string_view name);

// What an evaluation that finds no data for a series (or the whole rule)
// does to its alert.
enum class NoDataPolicy {
  kKeepState,  // nothing changes until data returns (or resolve_missing_after)
  kAlert,      // counts as the condition holding
  kResolve,    // counts as the condition not holding
};

std::string_view NoDataPolicyName(NoDataPolicy p);  // "keep_state", "alert", "resolve"
Result<NoDataPolicy> ParseNoDataPolicy(std::string_view name);

struct AlertingRule {
  // --- the original design's fields ---
  std::string id;            // unique; [A-Za-z0-9_.:-]+
  std::string display_name;  // the alertname label; defaults to id
  std::string metric_type;   // the stored metric's name
  double threshold = 0;
  ComparisonOperator comparison_operator = ComparisonOperator::kGreaterThan;
  int64_t evaluation_window_secs = 300;
  // Consecutive evaluations the condition must hold before the alert fires.
  int32_t trigger_count = 1;
  // Names of configured notifiers ("alertmanager", "slack", "pagerduty",
  // "webhook", or a name from the rule file). Empty: every notifier. A Cloud
  // Monitoring channel name (projects/.../notificationChannels/...) is kept
  // for the cloud-monitoring export.
  std::vector<std::string> notification_channels;

  // --- beyond the design ---
  WindowAggregation aggregation = WindowAggregation::kMean;
  std::vector<LabelMatcher> matchers;
  // One alert per distinct value of these labels; empty: one per series
  // when `per_series`, else one for the rule (series combined).
  std::vector<std::string> group_by;
  bool per_series = false;
  // How often the rule is evaluated.
  std::chrono::nanoseconds interval = std::chrono::seconds(60);
  // The condition must hold this long (and trigger_count evaluations) to fire.
  std::chrono::nanoseconds for_duration{0};
  NoDataPolicy no_data = NoDataPolicy::kKeepState;
  // A series (group) with no data for this long resolves its alert.
  std::chrono::nanoseconds resolve_missing_after = std::chrono::minutes(5);
  // Fewer events than this in the window (histogram observations, counter
  // increase, points) counts as no data: a quiet service does not page.
  uint64_t min_events = 0;
  // Added to each alert's labels ("severity" among them) and annotation
  // templates ("summary", "description", ...).
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // A firing alert is notified again after this; resolutions always are.
  std::chrono::nanoseconds repeat_interval = std::chrono::hours(4);
};

// OK, or INVALID_ARGUMENT naming the rule and the field:
//   rule 'high-error-rate': field 'trigger_count': must be at least 1, got 0
Status ValidateAlertingRule(const AlertingRule& rule);

}  // namespace tai

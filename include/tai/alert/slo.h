// Slo: a service level objective over a rolling window, its error budget and
// the burn-rate alerts that protect it (Google SRE workbook, multi-window,
// multi-burn-rate). The first four fields are the original design's, in its
// order:
//   Slo{.metric = "request_latency_ms", .threshold = 500,
//       .window = std::chrono::days(30), .error_budget = 0.001}
// reads "99.9% of requests under 500 ms over 30 days" (a latency SLI on a
// histogram). Other SLIs are good/total or bad/total counter ratios.
//
// A value type. Not synchronised.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/status.h"
#include "tai/store/metric_query.h"

namespace tai {

// How good and total events are counted.
enum class SliKind {
  kLatency,    // histogram `metric`: good = observations <= threshold
  kGoodRatio,  // counters: good_metric / total_metric
  kBadRatio,   // counters: 1 - bad_metric / total_metric (errors, unavailability)
};

std::string_view SliKindName(SliKind kind);  // "latency", "good_ratio", "bad_ratio"
Result<SliKind> ParseSliKind(std::string_view name);

// Alert when the budget burns `factor` times faster than the rate that
// spends it exactly over the SLO's window, over both windows at once.
struct BurnRateAlert {
  double factor = 1;
  std::chrono::nanoseconds long_window;
  std::chrono::nanoseconds short_window;
  std::string severity;  // "page" or "ticket"
};

// 14.4x over 1 h and 5 min (page), 6x over 6 h and 30 min (page), 1x over
// 3 days and 6 h (ticket).
std::vector<BurnRateAlert> DefaultBurnRateAlerts();

struct Slo {
  // --- the original design's fields ---
  std::string metric;    // kLatency: the histogram; ratios: unused (see below)
  double threshold = 0;  // kLatency: the latency bound, in the metric's unit
  std::chrono::nanoseconds window = std::chrono::hours(24 * 30);
  double error_budget = 0.001;  // the allowed bad fraction: 1 - objective

  // --- beyond the design ---
  std::string id;  // unique; defaults to metric
  std::string display_name;
  SliKind kind = SliKind::kLatency;
  std::string good_metric;   // kGoodRatio
  std::string bad_metric;    // kBadRatio
  std::string total_metric;  // kGoodRatio, kBadRatio
  std::vector<LabelMatcher> matchers;
  // Fewer events than this in a burn-rate window: that alert may not fire.
  uint64_t min_events = 100;
  std::vector<BurnRateAlert> burn_rate_alerts = DefaultBurnRateAlerts();
  std::vector<std::string> notification_channels;  // as AlertingRule's
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // How often the burn-rate alerts are evaluated.
  std::chrono::nanoseconds interval = std::chrono::seconds(60);
};

// The SLO's id: `id`, or `metric` when id is empty.
std::string SloId(const Slo& slo);

// OK, or INVALID_ARGUMENT naming the SLO and the field:
//   slo 'checkout-latency': field 'error_budget': must be in (0, 1), got 0
Status ValidateSlo(const Slo& slo);

// An SLO's budget over its window, or a burn rate over any window, from the
// store.
struct ErrorBudget {
  double objective = 0;  // 1 - error_budget
  uint64_t good_events = 0;
  uint64_t total_events = 0;
  double sli = 1;                 // good / total (1 with no events)
  double total_budget = 0;        // bad events the window allows: error_budget * total
  double consumed = 0;            // bad events so far
  double remaining = 0;           // total_budget - consumed (negative when overspent)
  double remaining_fraction = 1;  // remaining / total_budget
  double burn_rate = 0;           // (bad / total) / error_budget
  // How much of the window the store has data for, in [0, 1]: a fresh
  // service's budget is computed over what exists, and says so.
  double data_coverage = 0;
};

}  // namespace tai

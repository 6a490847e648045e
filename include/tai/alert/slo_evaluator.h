// SLO evaluation against the embedded store: the good and total events of
// an SLI over any window, the error budget over the SLO's window, burn
// rates, and the state of each multi-window burn-rate alert. The alert
// engine turns EvaluateBurnRateAlerts' `holds` into alerts; the dashboard
// and the CLI show ComputeErrorBudget.
//
// Counting (docs/alerting.md, "SLOs"):
//  - kLatency: total = the histogram's observations in [start, end), good =
//    those at or below `threshold` (StepFunction::kCountAtOrBelow: the one
//    bucket that straddles the threshold is split by linear interpolation,
//    so good is within that bucket's count of the exact number).
//  - kGoodRatio / kBadRatio: the counters' increase over [start, end)
//    (resets handled by the store); bad = total - good for kGoodRatio.
// A metric the store has never seen counts as no events (coverage 0),
// so a fresh service neither pages nor fails evaluation. Past the raw
// retention the store answers from hourly rollups: an hour cut by the
// window's start counts its increase pro rata, its observations whole.
//
// Free functions over a Store; thread-safe as the Store's queries are.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tai/alert/slo.h"
#include "tai/core/status.h"
#include "tai/store/store.h"

namespace tai {

// The events of one SLI over one window.
struct SliCounts {
  double good = 0;   // fractional for latency SLIs (interpolated bucket)
  double total = 0;  // observations or counter increase
  // Fraction of [start, end) that has data of the total metric, in [0, 1]:
  // the window is cut into steps of max(5 min, window / 1440) and a step
  // counts when any point falls in it (so a collection interval longer than
  // 5 minutes reads as partial coverage).
  double coverage = 0;
  double bad() const { return total > good ? total - good : 0; }
  // bad / total, 0 with no events.
  double error_ratio() const { return total > 0 ? bad() / total : 0; }
};

// The SLI's events in [start_nanos, end_nanos). INVALID_ARGUMENT for an
// invalid SLO or an empty range; the store's errors otherwise.
Result<SliCounts> CountEvents(const Store& store, const Slo& slo, int64_t start_nanos,
                              int64_t end_nanos);

// The budget over [now - slo.window, now).
Result<ErrorBudget> ComputeErrorBudget(const Store& store, const Slo& slo, int64_t now);

// How fast the budget burns over [now - window, now): the error ratio over
// the error budget (1 spends exactly the budget over the SLO's window).
double BurnRateOf(const SliCounts& counts, const Slo& slo);
Result<double> BurnRate(const Store& store, const Slo& slo, std::chrono::nanoseconds window,
                        int64_t now);

// One burn-rate alert of an SLO at one evaluation.
struct BurnRateStatus {
  BurnRateAlert alert;
  SliCounts long_counts;  // over [now - long_window, now)
  SliCounts short_counts;
  double long_burn_rate = 0;
  double short_burn_rate = 0;
  // Both burn rates above the factor, and at least slo.min_events events in
  // the long window (a quiet service does not page on a handful of errors).
  bool holds = false;
};

// Every burn_rate_alerts entry of the SLO, in order.
Result<std::vector<BurnRateStatus>> EvaluateBurnRateAlerts(const Store& store, const Slo& slo,
                                                           int64_t now);

// What a burn-rate alert that holds is called and labelled, the same in the
// engine and in both exports, so an alert keeps its identity wherever it is
// evaluated: "<display_name or id> error budget burn", labelled with the
// SLO's labels plus slo, severity, long_window and short_window ("1h", "5m"),
// and a one-line summary for the "summary" annotation.
std::string BurnRateAlertName(const Slo& slo);
std::map<std::string, std::string> BurnRateAlertLabels(const Slo& slo, const BurnRateAlert& alert);
std::string BurnRateAlertSummary(const Slo& slo, const BurnRateAlert& alert);

}  // namespace tai

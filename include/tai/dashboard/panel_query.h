// PanelQuery: what a dashboard panel plots, parsed from the small query
// language of dashboard files (docs/dashboard.md, "Query language"):
//
//   query    := ratio [ ('*' | '/') NUMBER ]
//   ratio    := select [ '/' select ]          // '/' between spaces divides
//   select   := FUNCTION '(' METRIC ')' | 'percentile' '(' METRIC ',' NUMBER ')'
//             | METRIC                         // the last value of each series
//   FUNCTION := rate | increase | avg | max | min | sum
//
// e.g. "percentile(request_latency_ms, 99)", "rate(http/requests)",
// "errors / total_requests * 100". METRIC is a recorded metric name
// ([A-Za-z_][A-Za-z0-9_.:/]*; a '/' inside a name is part of it, so a
// division needs a space before the '/'). Each function is one the store
// answers (tai/store/metric_query.h) and both exports translate.
//
// Value types and free functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tai/core/status.h"

namespace tai {

enum class QueryFunction { kLast, kRate, kIncrease, kAvg, kMax, kMin, kSum, kPercentile };
// "last", "rate", ..., "percentile".
std::string_view QueryFunctionName(QueryFunction f);

// One metric with the function applied to it.
struct MetricSelect {
  QueryFunction function = QueryFunction::kLast;
  std::string metric;
  double percentile = 0;  // kPercentile only, in (0, 100]
  friend bool operator==(const MetricSelect&, const MetricSelect&) = default;
};

struct PanelQuery {
  MetricSelect numerator;
  std::optional<MetricSelect> denominator;  // a ratio when set
  double scale = 1;                         // "* 100" -> 100; "/ 8" -> 0.125
  friend bool operator==(const PanelQuery&, const PanelQuery&) = default;
};

// INVALID_ARGUMENT naming the column (1-based) and what was expected there:
// "column 12: expected ')' after the metric name, got ','".
Result<PanelQuery> ParsePanelQuery(std::string_view text);
// The canonical text of a query; ParsePanelQuery reads it back to the same.
std::string PanelQueryToString(const PanelQuery& q);

}  // namespace tai

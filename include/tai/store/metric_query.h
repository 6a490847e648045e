// Metric queries over the embedded store: label matchers, the latest value
// of each series, range queries with a step and an aggregation, and window
// statistics. Quantiles always come from merged histograms (over the cells
// of a step and across series), never from averaged percentiles, so they
// are within the histogram's documented relative error of the exact value.
//
// Value types, filled by the caller and answered by Store (tai/store/store.h).
// Not synchronised.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tai/core/labels.h"
#include "tai/core/status.h"
#include "tai/metrics/histogram_data.h"
#include "tai/metrics/metric_descriptor.h"

namespace tai {

// One condition on a label: = and != compare the value, =~ and !~ match it
// against an ECMAScript regular expression anchored at both ends (as in
// PromQL). A missing label has the value "".
struct LabelMatcher {
  enum class Op { kEqual, kNotEqual, kRegex, kNotRegex };
  std::string key;
  Op op = Op::kEqual;
  std::string value;
};

// Parses `key="value"`, `key!="value"`, `key=~"re"`, `key!~"re"` (the quotes
// are optional); a clear error names what is wrong.
Result<LabelMatcher> ParseLabelMatcher(std::string_view text);
// "=", "!=", "=~" or "!~".
std::string_view LabelMatcherSymbol(LabelMatcher::Op op);
// key="value" with the matcher's symbol: what ParseLabelMatcher reads back.
std::string FormatLabelMatcher(const LabelMatcher& matcher);

// What one step of a series is made of.
enum class StepFunction {
  kLast,  // the last value in the step
  kAvg,   // mean of the values
  kMin,
  kMax,
  kSum,       // sum of the values
  kCount,     // number of values (histograms: recorded observations)
  kIncrease,  // counters: the increase, resets handled
  kRate,      // counters: the increase per second
  kQuantile,  // histograms: the `quantile` of the merged distribution
  // Histograms (and gauges): how many observations (values) are at or below
  // `bound`, from the merged buckets; a bucket that straddles the bound is
  // split by linear interpolation (HistogramData::CountAtOrBelow states the
  // error). Latency SLIs count their good events with it.
  kCountAtOrBelow,
};

// How series are combined at each step. kNone keeps each series.
enum class SeriesAggregation { kNone, kSum, kAvg, kMin, kMax };

struct MetricRangeQuery {
  std::string metric;
  std::vector<LabelMatcher> matchers;
  int64_t start_nanos = 0;
  int64_t end_nanos = 0;
  int64_t step_nanos = 0;  // > 0
  StepFunction function = StepFunction::kLast;
  double quantile = 0.99;  // for kQuantile, in [0, 1]
  double bound = 0;        // for kCountAtOrBelow, in the metric's unit
  SeriesAggregation across = SeriesAggregation::kNone;
};

struct SeriesPoint {
  int64_t time_nanos = 0;  // the end of the step
  double value = 0;
};

struct MetricSeries {
  LabelSet labels;  // empty when series were aggregated
  std::vector<SeriesPoint> points;
};

// The storage tier a query read: raw points or hourly/daily rollups.
enum class StoreTier { kRaw = 0, kHourly = 1, kDaily = 2 };

struct MetricRangeResult {
  std::vector<MetricSeries> series;
  StoreTier tier = StoreTier::kRaw;  // the finest tier that covered the start
};

// What the store knows about one metric: its name, kind (kGauge,
// kCumulative or kDistribution) and UCUM unit ("" when none was declared).
// The default dashboard is built from these.
struct MetricSummary {
  std::string name;
  MetricType kind = MetricType::kGauge;
  std::string unit;
  friend bool operator==(const MetricSummary&, const MetricSummary&) = default;
};

// The latest stored point of one series.
struct LatestPoint {
  LabelSet labels;
  int64_t time_nanos = 0;
  double value = 0;                        // a histogram's interval mean; counters their total
  std::optional<HistogramData> histogram;  // the last interval's distribution
};

// Statistics over a window: of the recorded observations for histograms
// (merged), of the point values otherwise.
struct WindowStatistics {
  uint64_t count = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0;
  StoreTier tier = StoreTier::kRaw;
  // Relative error bound of the percentiles (0 when computed from exact values).
  double relative_error = 0;
};

}  // namespace tai

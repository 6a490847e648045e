// What a metric collection produces: MetricValue (the original design's
// int64 / double / DistributionValue), points, per-metric data and the batch
// handed to every sink.
//
// A MetricBatch is immutable once made and shared (std::shared_ptr<const>)
// between sinks, so any number of threads may read it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "tai/core/labels.h"
#include "tai/core/resource.h"
#include "tai/metrics/histogram_data.h"
#include "tai/metrics/metric_descriptor.h"

namespace tai {

// A distribution as the original design writes it: count, mean, sum of
// squared deviation and named percentiles ("p50", "p95", "p99"). Points that
// come from a Histogram also carry its buckets, from which any percentile
// can be read.
struct DistributionValue {
  uint64_t count = 0;
  double mean = 0;
  double sum_of_squared_deviation = 0;
  std::map<std::string, double> percentiles;
  std::shared_ptr<const HistogramData> histogram;

  static DistributionValue FromHistogram(std::shared_ptr<const HistogramData> h);
  // Percentile q in [0, 1]: from the buckets when present, else from the
  // named percentile "p<100q>" ("p99", "p99.9"), else NaN.
  double Percentile(double q) const;
  double sum() const { return mean * static_cast<double>(count); }
};

class MetricValue {
 public:
  using Variant = std::variant<int64_t, double, DistributionValue>;

  MetricValue() : v_(int64_t{0}) {}
  template <typename I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) MetricValue(I v)
      : v_(static_cast<int64_t>(v)) {}                    // NOLINT: implicit by design
  MetricValue(double v) : v_(v) {}                        // NOLINT
  MetricValue(DistributionValue v) : v_(std::move(v)) {}  // NOLINT

  bool is_int64() const { return std::holds_alternative<int64_t>(v_); }
  bool is_double() const { return std::holds_alternative<double>(v_); }
  bool is_distribution() const { return std::holds_alternative<DistributionValue>(v_); }
  int64_t int64() const { return std::get<int64_t>(v_); }
  double dbl() const { return std::get<double>(v_); }
  const DistributionValue& distribution() const { return std::get<DistributionValue>(v_); }
  // int64 and double as double; a distribution as its mean.
  double AsDouble() const;
  const Variant& variant() const { return v_; }

 private:
  Variant v_;
};

enum class Temporality { kCumulative, kDelta };

// Which instrument made the data; exporters map it to their own types.
enum class InstrumentKind {
  kCounter,          // monotonic sum
  kUpDownCounter,    // non-monotonic sum
  kGauge,            // last value set, or read by a callback
  kHistogram,        // buckets
  kObservedCounter,  // monotonic total read by a callback
  kWrittenPoint,     // points written whole (CloudMonitoring::WriteMetricPoint)
};

struct MetricPoint {
  LabelSet labels;
  int64_t start_time_nanos = 0;  // start of the cumulative or delta interval
  int64_t time_nanos = 0;
  MetricValue value;
};

struct MetricData {
  std::shared_ptr<const MetricDescriptor> descriptor;
  InstrumentKind kind = InstrumentKind::kGauge;
  Temporality temporality = Temporality::kCumulative;
  std::vector<MetricPoint> points;
};

struct MetricBatch {
  std::shared_ptr<const Resource> resource;
  int64_t time_nanos = 0;
  std::vector<MetricData> metrics;
};

}  // namespace tai

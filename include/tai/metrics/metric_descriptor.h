// MetricDescriptor: the identity and meaning of a metric (type name, value
// kind, unit, description, label keys), as in Cloud Monitoring's
// MetricDescriptor. Every instrument is created from one; validation happens
// once, at creation, with an error that names what is wrong.
//
// Value types. Not synchronised.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tai/core/status.h"

namespace tai {

// The value kind of a metric (Cloud Monitoring's metricKind/valueType pair
// folded into the three kinds the original design names).
enum class MetricType {
  kUnspecified,   // filled in by the instrument that is created
  kGauge,         // a value at a point in time (gauges, up-down counters)
  kCumulative,    // a monotonic total since a start time (counters)
  kDistribution,  // a distribution of values (histograms)
};
std::string_view MetricTypeName(MetricType type);  // "GAUGE", "CUMULATIVE", "DISTRIBUTION"

// A UCUM unit string ("ms", "s", "By", "1", "%", "{request}").
class MetricUnit {
 public:
  MetricUnit() = default;
  explicit MetricUnit(std::string ucum) : ucum_(std::move(ucum)) {}
  const std::string& ucum() const { return ucum_; }
  friend bool operator==(const MetricUnit&, const MetricUnit&) = default;

  static const MetricUnit kDimensionless;  // "1"
  static const MetricUnit kPercent;        // "%"
  static const MetricUnit kBytes;          // "By"
  static const MetricUnit kKibibytes;      // "KiBy"
  static const MetricUnit kMebibytes;      // "MiBy"
  static const MetricUnit kSeconds;        // "s"
  static const MetricUnit kMilliseconds;   // "ms"
  static const MetricUnit kMicroseconds;   // "us"
  static const MetricUnit kNanoseconds;    // "ns"

 private:
  std::string ucum_ = "1";
};

inline const MetricUnit MetricUnit::kDimensionless{"1"};
inline const MetricUnit MetricUnit::kPercent{"%"};
inline const MetricUnit MetricUnit::kBytes{"By"};
inline const MetricUnit MetricUnit::kKibibytes{"KiBy"};
inline const MetricUnit MetricUnit::kMebibytes{"MiBy"};
inline const MetricUnit MetricUnit::kSeconds{"s"};
inline const MetricUnit MetricUnit::kMilliseconds{"ms"};
inline const MetricUnit MetricUnit::kMicroseconds{"us"};
inline const MetricUnit MetricUnit::kNanoseconds{"ns"};

struct LabelDescriptor {
  std::string key;
  std::string description;
  std::string value_type = "string";  // "string", "int64" or "bool", as in Cloud Monitoring
  friend bool operator==(const LabelDescriptor&, const LabelDescriptor&) = default;
};

struct MetricDescriptor {
  // "custom.googleapis.com/myapp/request_latency", or a plain name
  // ("myapp/request_latency", "tai_dropped") for metrics that stay local.
  std::string metric_type;
  std::string display_name;
  MetricType value_type = MetricType::kUnspecified;
  MetricUnit unit;
  std::string description;
  // The label keys series of this metric may carry. Empty means any valid key.
  std::vector<LabelDescriptor> labels;
};

// Limits from Cloud Monitoring's documented quotas for user-defined metrics.
inline constexpr size_t kMaxMetricTypeLength = 200;
inline constexpr size_t kMaxLabelsPerMetric = 30;
inline constexpr size_t kMaxLabelKeyLength = 100;
inline constexpr size_t kMaxLabelValueLength = 1024;

// Checks name charset and length, unit, label keys and their count.
Status ValidateMetricDescriptor(const MetricDescriptor& d);
// A label key: starts with a lower-case letter, then [a-z0-9_], at most 100.
Status ValidateLabelKey(std::string_view key);
// A UCUM unit from the set above, a {annotation}, or a simple UCUM term.
Status ValidateUnit(std::string_view ucum);

// The type Cloud Monitoring sees for a metric_type: as is when it has a
// domain ("workload.googleapis.com/x"), else custom.googleapis.com/<type>.
// Shared by the Cloud Monitoring exporter and the alert-policy export.
std::string CloudMonitoringMetricType(std::string_view metric_type);

}  // namespace tai

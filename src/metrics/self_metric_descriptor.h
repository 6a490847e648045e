// Internal: the library's own metrics (tai_*): their descriptors, with
// string labels named by `labels`, and how to tell them from the user's.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/metrics/metric_descriptor.h"

namespace tai::internal {

inline bool IsSelfMetric(std::string_view metric_type) { return metric_type.starts_with("tai_"); }

inline MetricDescriptor SelfMetricDescriptor(std::string type, MetricType kind,
                                             std::string description,
                                             std::vector<std::string> labels = {}) {
  MetricDescriptor d{
      .metric_type = std::move(type), .value_type = kind, .description = std::move(description)};
  for (std::string& key : labels) d.labels.push_back({std::move(key), "", "string"});
  return d;
}

}  // namespace tai::internal

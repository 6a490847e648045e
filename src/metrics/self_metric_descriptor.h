// Internal: the descriptor of one of the library's own metrics (tai_*),
// with string labels named by `labels`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tai/metrics/metric_descriptor.h"

namespace tai::internal {

inline MetricDescriptor SelfMetricDescriptor(std::string type, MetricType kind,
                                             std::string description,
                                             std::vector<std::string> labels = {}) {
  MetricDescriptor d{
      .metric_type = std::move(type), .value_type = kind, .description = std::move(description)};
  for (std::string& key : labels) d.labels.push_back({std::move(key), "", "string"});
  return d;
}

}  // namespace tai::internal

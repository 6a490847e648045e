// Test helpers: find a metric's points in a collected batch.
#pragma once

#include <string>

#include "tai/metrics/metric_data.h"

namespace tai::testing {

inline const MetricData* FindMetric(const MetricBatch& batch, const std::string& type) {
  for (const auto& m : batch.metrics) {
    if (m.descriptor->metric_type == type) return &m;
  }
  return nullptr;
}

inline const MetricPoint* FindPoint(const MetricBatch& batch, const std::string& type,
                                    const LabelSet& labels) {
  const MetricData* m = FindMetric(batch, type);
  if (m == nullptr) return nullptr;
  for (const auto& p : m->points) {
    if (p.labels == labels) return &p;
  }
  return nullptr;
}

}  // namespace tai::testing

// Internal: turns cumulative batches into delta batches for a sink that
// wants deltas, remembering the previous point of every series.
//
// Counters and histograms become the change since the previous collection
// (a counter that went down was reset: its delta is its new value); gauges
// and up-down counters pass through. Memory is one point per series,
// bounded by the registry's cardinality limits. One per sink; not
// synchronised.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "tai/metrics/metric_data.h"

namespace tai::internal {

class DeltaConverter {
 public:
  std::shared_ptr<const MetricBatch> Convert(const MetricBatch& cumulative);

 private:
  std::unordered_map<std::string, MetricPoint> previous_;
};

}  // namespace tai::internal

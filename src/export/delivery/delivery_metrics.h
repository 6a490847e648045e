// Internal: the self-metrics of the exporters' delivery queues, read at
// each collection: tai_export_queue_bytes{sink,where} (memory or disk),
// tai_export_requests{sink,outcome} (delivered, rejected, dropped),
// tai_export_failed_attempts{sink}, tai_export_spilled_requests{sink}.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tai/export/delivery_stats_source.h"
#include "tai/metrics/metric_registry.h"

namespace tai::internal {

// Reads every exporter in `sources` at each collection; the callbacks share
// ownership of them, so they stay readable until the callbacks are removed.
// Returns the callback ids, for MetricRegistry::RemoveCallback.
std::vector<uint64_t> RegisterDeliveryMetrics(
    MetricRegistry& registry, std::vector<std::shared_ptr<const DeliveryStatsSource>> sources);

}  // namespace tai::internal

// Internal: the self-metrics of the exporters' delivery queues, read at
// each collection: tai_export_queue_bytes{sink,where} (memory or disk),
// tai_export_requests{sink,outcome} (delivered, rejected, dropped),
// tai_export_failed_attempts{sink}, tai_export_spilled_requests{sink}.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tai/export/delivery_options.h"
#include "tai/metrics/metric_registry.h"

namespace tai::internal {

// A sink's name and how to read its queue's figures; the function must stay
// callable until the callbacks are removed.
using DeliveryStatsSource = std::pair<std::string, std::function<DeliveryStats()>>;

// Returns the callback ids, for MetricRegistry::RemoveCallback.
std::vector<uint64_t> RegisterDeliveryMetrics(MetricRegistry& registry,
                                              std::vector<DeliveryStatsSource> sources);

}  // namespace tai::internal

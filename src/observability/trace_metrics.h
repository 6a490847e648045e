// Internal: the tracing pillar's self-metrics, read at each collection:
// tai_span_queue_depth, tai_spans_enqueued, tai_spans_dropped,
// tai_spans_exported, tai_span_export_errors{sink},
// tai_trace_malformed_headers{header}, tai_trace_error_traces_kept,
// tai_span_limit_drops{what}.
#pragma once

#include <cstdint>
#include <vector>

#include "tai/metrics/metric_registry.h"
#include "tai/trace/span_processor.h"
#include "tai/trace/trace.h"

namespace tai::internal {

// Returns the callback ids, for MetricRegistry::RemoveCallback before the
// tracer or processor goes away.
std::vector<uint64_t> RegisterTraceMetrics(MetricRegistry& registry, const Tracer& tracer,
                                           const BatchSpanProcessor& processor);

}  // namespace tai::internal

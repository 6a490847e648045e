// Prometheus exposition: the text format (0.0.4) and OpenMetrics 1.0 text.
// The GET /metrics endpoint that serves them is tai/web/prometheus_endpoint.h.
//
// Names: the domain of a Cloud Monitoring type is dropped and the rest made
// a Prometheus name (custom.googleapis.com/myapp/request_latency ->
// myapp_request_latency), then the unit is appended (_seconds, _bytes, ...;
// see PrometheusUnitStyle) and counters end in _total. Exponential histograms
// are written as classic buckets: every bucket from the lowest to the
// highest populated one, plus the lower edge of the first, so
// histogram_quantile() interpolates inside one bucket (relative error at
// most base-1 of the exposed scale; docs/metrics.md).
//
// Free functions, thread-safe.
#pragma once

#include <string>

#include "tai/metrics/metric_data.h"

namespace tai {

// How Prometheus names carry units. kBaseUnits converts time and size units
// to seconds and bytes (Prometheus' naming rule, which `promtool check
// metrics` enforces); kKeepUnits names the unit as declared
// (request_latency with unit ms -> request_latency_milliseconds).
enum class PrometheusUnitStyle { kBaseUnits, kKeepUnits };

struct PrometheusOptions {
  PrometheusUnitStyle units = PrometheusUnitStyle::kBaseUnits;
  bool open_metrics = false;         // OpenMetrics 1.0 instead of text 0.0.4
  size_t max_exposed_buckets = 160;  // per sign, for exponential histograms
};

// The Prometheus name of a metric (without _total or histogram suffixes), and
// the factor its values are multiplied by (1e-3 when ms become seconds).
std::string PrometheusName(const MetricDescriptor& d, PrometheusUnitStyle units,
                           double* value_scale = nullptr);

// Appends the batch, in the format `options` asks for, to `out`.
void WritePrometheusText(const MetricBatch& batch, const PrometheusOptions& options,
                         std::string* out);

}  // namespace tai

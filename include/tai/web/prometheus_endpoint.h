// The GET /metrics endpoint: serves a metric registry in the Prometheus text
// format or OpenMetrics (tai/export/prometheus_text.h) from the embedded HTTP
// server.
//
// A free function, thread-safe; the endpoint collects from the registry on
// each scrape.
#pragma once

#include "tai/export/prometheus_text.h"
#include "tai/metrics/metric_registry.h"
#include "tai/web/http_server.h"

namespace tai {

// Registers GET /metrics on `server`: collects `registry` and answers in
// OpenMetrics when the Accept header asks for it, text 0.0.4 otherwise;
// gzip when the client accepts it. `registry` must outlive the server.
void ServePrometheus(HttpServer& server, MetricRegistry& registry,
                     PrometheusUnitStyle units = PrometheusUnitStyle::kBaseUnits);

}  // namespace tai

#include "tai/web/prometheus_endpoint.h"

#include <string_view>

namespace tai {

void ServePrometheus(HttpServer& server, MetricRegistry& registry, PrometheusUnitStyle units) {
  server.Handle("GET", "/metrics", [&registry, units](const HttpRequest& req, HttpResponse& res) {
    PrometheusOptions options;
    options.units = units;
    options.open_metrics =
        req.Header("accept").find("application/openmetrics-text") != std::string_view::npos;
    auto batch = registry.Collect();
    res.body.reserve(64 * 1024);
    WritePrometheusText(*batch, options, &res.body);
    res.content_type = options.open_metrics
                           ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                           : "text/plain; version=0.0.4; charset=utf-8";
  });
}

}  // namespace tai

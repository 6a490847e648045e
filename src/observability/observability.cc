#include "tai/observability.h"

#include "tai/ids.h"
#include "tai/prometheus.h"

namespace tai {

Observability::Observability(Config config) : config_(std::move(config)) {}

Result<std::unique_ptr<Observability>> Observability::Start(Config config) {
  if (config.resource.instance_id.empty()) config.resource.instance_id = NewSpanId().ToHex();
  TAI_RETURN_IF_ERROR(config.Validate());
  std::unique_ptr<Observability> obs(new Observability(std::move(config)));
  const Config& c = obs->config_;
  obs->resource_ = std::make_shared<const Resource>(c.resource);
  obs->registry_ = std::make_unique<MetricRegistry>(
      MetricRegistryOptions{.cardinality_limit = c.metrics.cardinality_limit}, obs->resource_);
  obs->collector_ = std::make_unique<MetricCollector>(*obs->registry_, c.metrics.collect_interval);
  obs->metric_store_ = std::make_shared<InMemoryMetricStore>();
  obs->collector_->AddSink(obs->metric_store_);
  if (c.metrics.prometheus_enabled) {
    obs->server_ =
        std::make_unique<HttpServer>(HttpServerOptions{.address = c.metrics.prometheus_address});
    ServePrometheus(*obs->server_, *obs->registry_, c.metrics.prometheus_units);
    TAI_RETURN_IF_ERROR(obs->server_->Start());
  }
  TAI_RETURN_IF_ERROR(obs->collector_->Start());
  return obs;
}

Observability::~Observability() { Shutdown(); }

std::string Observability::metrics_url() const {
  return server_ ? server_->url() + "/metrics" : "";
}

void Observability::AddMetricSink(std::shared_ptr<MetricSink> sink) {
  collector_->AddSink(std::move(sink));
}

void Observability::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  collector_->Stop(config_.shutdown_deadline);
  if (server_) server_->Stop();
}

}  // namespace tai

// Observability: the one object a service creates to get every pillar with
// the embedded defaults: a metric registry and its collector, the HTTP
// server with Prometheus /metrics (127.0.0.1:9464 unless configured), a
// tracer with its batch span processor (installed as GlobalTracer()), the
// log pipeline with its stdout sink (Cloud Logging JSON, or the console
// format on a terminal), the embedded store fed by all three (unless
// Config::store.enabled is false), and the sinks configured in Config (with
// Config::gcp.profiler, the Cloud Profiler agent too), and over the store
// the alert engine with the notifiers Config::alerts names and the dashboard
// on the same HTTP server as /metrics. With Config::gcp.alert_policies, the
// rule file's alert policies are synced to Cloud Monitoring once, on a
// thread of their own (tai/cloud_alert_policies.h).
//
//   auto obs = tai::Observability::Start(tai::Config::FromEnv().value());
//   if (!obs.ok()) { std::cerr << obs.status().ToString(); return 1; }
//   auto requests = (*obs)->metrics().CreateCounter({.metric_type = "myapp/requests"});
//   TAI_LOG_INFO((*obs)->logger("main"), "started on port {}", port);
//
// Owned by the application (unique_ptr). Thread-safe. Shutdown(), or the
// destructor, collects and flushes everything within
// Config::shutdown_deadline.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tai/alert/alert_engine.h"
#include "tai/alert/notification_dispatcher.h"
#include "tai/analysis/continuous_profiling.h"
#include "tai/config.h"
#include "tai/core/status.h"
#include "tai/export/delivery_options.h"
#include "tai/export/delivery_stats_source.h"
#include "tai/gcp/api_options.h"
#include "tai/gcp/token_source.h"
#include "tai/log/log_pipeline.h"
#include "tai/metrics/metric_collector.h"
#include "tai/metrics/metric_registry.h"
#include "tai/metrics/metric_sink.h"
#include "tai/metrics/process_metrics.h"
#include "tai/store/in_memory_metric_store.h"
#include "tai/store/store.h"
#include "tai/trace/span_processor.h"
#include "tai/trace/span_sink.h"
#include "tai/trace/trace.h"
#include "tai/web/http_metrics.h"
#include "tai/web/http_server.h"

namespace tai {

namespace gcp {
class CloudProfilerAgent;
}
namespace internal {
class AlertPolicySyncRunner;
class ClosableLogReport;
}  // namespace internal

// What an exporter with a delivery queue (OTLP, Google Cloud) is doing now.
struct ExporterHealth {
  std::string name;  // the `sink` label of the self-metrics
  DeliveryStats stats;
};

// The parts of a running Observability that can lose data while the service
// runs on, in one value (Observability::Health(), GET /healthz).
struct HealthReport {
  // False while an exporter's backend fails or it runs without the spill
  // directory it was given, when the store or the alert engine that
  // Config asked for could not start, or for a minute after the store
  // failed a commit (a full disk, its size cap). Drops and rejections are
  // counted in `exporters` and `logs`; they do not make it false (they are
  // past; ok says whether delivery works now).
  bool ok = true;
  std::vector<ExporterHealth> exporters;
  LogPipelineStats logs;
  Status store;
  StoreStats store_writes;  // the store's writer; all zero without a store
  Status alerts;
  HttpServerStats http;  // all zero without the HTTP server
};

class Observability {
 public:
  static Result<std::unique_ptr<Observability>> Start(Config config);
  ~Observability();
  Observability(const Observability&) = delete;
  Observability& operator=(const Observability&) = delete;

  const Config& config() const { return config_; }
  const Resource& resource() const { return *resource_; }
  MetricRegistry& metrics() { return *registry_; }
  // Recent points of every series within 4 MiB, fed by the collector (the
  // design API's query side until it reads the embedded store).
  const std::shared_ptr<InMemoryMetricStore>& metric_store() { return metric_store_; }
  // The embedded HTTP server; nullptr when Prometheus is off.
  HttpServer* http_server() { return server_.get(); }
  // The health of every exporter, the log pipeline, the store, the alert
  // engine and the HTTP server now. Also served as JSON at GET /healthz
  // (200 with "status": "ok" or "degraded"; 503 "starting" until Start has
  // returned): it reports, it never fails the probe for a telemetry backend,
  // so an orchestrator does not restart a service because of one. A change
  // is said once in the library's log (logger "tai.health"), checked every
  // collect interval; losses at most once a minute per exporter.
  HealthReport Health() const;
  // "http://127.0.0.1:9464/metrics", or "" when Prometheus is off.
  std::string metrics_url() const;
  // The HTTP golden signals (tai/web/http_metrics.h) in this registry, for
  // the service's own servers and clients: on a tai::HttpServer,
  // server.Use(tai::HttpMetricsMiddleware(obs->http_server_metrics())); on
  // any other, Begin/End; for libcurl, CurlRequestOptions::metrics.
  std::shared_ptr<const HttpServerMetrics> http_server_metrics() const {
    return http_server_metrics_;
  }
  std::shared_ptr<const HttpClientMetrics> http_client_metrics() const {
    return http_client_metrics_;
  }

  void AddMetricSink(std::shared_ptr<MetricSink> sink);

  Tracer& tracer() { return *tracer_; }
  const std::shared_ptr<BatchSpanProcessor>& span_processor() { return span_processor_; }
  // The most recent exported spans (Config::traces.recent_spans of them).
  const std::shared_ptr<InMemorySpanSink>& recent_spans() { return recent_spans_; }
  void AddSpanSink(std::shared_ptr<SpanSink> sink);
  // The log pipeline (levels, sinks, stats) and its loggers.
  LogPipeline& logs() { return *logs_; }
  Logger& logger(std::string_view name = "") { return logs_->GetLogger(name); }
  // The embedded store every pillar writes to; nullptr when it is off or
  // could not be opened (store_status() says why; Start goes on without it
  // rather than fail the service, e.g. when another process holds the file).
  const std::shared_ptr<Store>& store() const { return store_; }
  const Status& store_status() const { return store_status_; }
  // The alert engine evaluating Config::alerts' rule file (and rules added
  // with AddRule / AddSlo) against the store on its own thread; nullptr when
  // alerting is off or there is no store (alerts_status() says why).
  AlertEngine* alerts() { return alerts_.get(); }
  const Status& alerts_status() const { return alerts_status_; }
  // "http://127.0.0.1:9464/" when the dashboard is served, else ""
  // (dashboard_status() says why not).
  std::string dashboard_url() const;
  const Status& dashboard_status() const { return dashboard_status_; }
  // How its Google Cloud exporters reach the APIs (project, endpoints,
  // token source, delivery), for further clients that should share them (a
  // CloudProfilerSink); nullopt when Google Cloud export is off.
  const std::optional<gcp::GcpApiOptions>& gcp_api() const { return gcp_api_; }
  // The notifiers' dispatcher; nullptr when no notifier is configured.
  NotificationDispatcher* notifications() { return notifications_.get(); }
  // Options for a ContinuousProfilingService that reports into this
  // instance: its resource, a logger, and every comparison handed to the
  // alert engine, so that a regression raises one alert per function and
  // profile kind and resolves when a later window no longer shows it, and
  // kept in the store's comparison history; with the store open, its
  // baselines are kept there (StoreBaselineStore).
  //   ContinuousProfilingService service(recorder, obs->ProfilingOptions());
  // The service must stop before this instance shuts down.
  ContinuousProfilingOptions ProfilingOptions();
  // Collects and flushes every pillar within the configured deadline, then
  // stops the background threads and the HTTP server. Idempotent.
  void Shutdown();

 private:
  explicit Observability(Config config);
  Status StartTracing();
  Status StartGcpExport();
  void StartStore();
  Status StartAlerts();
  Status StartAlertPolicySync();
  Status StartDashboard();
  Status StartGoldenSignals();
  void SayWhatIsInEffect();
  void ServeHealth();

  Config config_;
  std::shared_ptr<const Resource> resource_;
  std::unique_ptr<MetricRegistry> registry_;
  std::shared_ptr<InMemoryMetricStore> metric_store_;
  std::unique_ptr<MetricCollector> collector_;
  std::unique_ptr<ProcessMetrics> process_metrics_;
  std::shared_ptr<HttpServerMetrics> http_server_metrics_;
  std::shared_ptr<HttpClientMetrics> http_client_metrics_;
  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<InMemorySpanSink> recent_spans_;
  std::shared_ptr<BatchSpanProcessor> span_processor_;
  std::unique_ptr<Tracer> tracer_;
  std::vector<uint64_t> trace_metric_ids_;
  // The exporters with a delivery queue (OTLP, Google Cloud), read for the
  // self-metrics.
  std::vector<std::shared_ptr<const DeliveryStatsSource>> delivery_sources_;
  std::vector<uint64_t> delivery_metric_ids_;
  uint64_t http_metrics_callback_ = 0;
  // Set once Start has made every part: /healthz reads the parts.
  std::atomic<bool> started_{false};
  std::shared_ptr<gcp::AccessTokenSource> gcp_tokens_;
  std::optional<gcp::GcpApiOptions> gcp_api_;
  std::unique_ptr<gcp::CloudProfilerAgent> profiler_agent_;
  std::unique_ptr<LogPipeline> logs_;
  uint64_t log_metrics_callback_ = 0;
  std::shared_ptr<Store> store_;
  // Where the store's write and housekeeping failures are said: the
  // library's log (logger tai.store) until Shutdown stops it.
  std::shared_ptr<internal::ClosableLogReport> store_errors_;
  Status store_status_;
  uint64_t store_metrics_callback_ = 0;
  std::unique_ptr<NotificationDispatcher> notifications_;
  std::unique_ptr<AlertEngine> alerts_;
  Status alerts_status_;
  std::vector<uint64_t> alert_metric_ids_;
  // The one sync of the rule file's Cloud Monitoring alert policies
  // (Config::gcp.alert_policies), retried after outages; its thread ends
  // when this is reset.
  std::shared_ptr<internal::AlertPolicySyncRunner> alert_policy_sync_;
  bool dashboard_served_ = false;
  Status dashboard_status_;
  bool shut_down_ = false;
};

}  // namespace tai

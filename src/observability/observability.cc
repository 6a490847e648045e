#include "tai/observability.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <optional>

#include "export/delivery/delivery_metrics.h"
#include "observability/closable_log_report.h"
#include "observability/health.h"
#include "observability/trace_metrics.h"
#include "tai/core/clock.h"
#include "tai/core/ids.h"
#include "tai/dashboard/dashboard_api.h"
#include "tai/export/otlp_log_sink.h"
#include "tai/export/otlp_span_sink.h"
#include "tai/gcp/cloud_logging_log_sink.h"
#include "tai/gcp/cloud_monitoring_metric_sink.h"
#include "tai/gcp/cloud_profiler_agent.h"
#include "tai/gcp/cloud_trace_span_sink.h"
#include "tai/gcp/monitored_resource.h"
#include "tai/log/cloud_logging_json.h"
#include "tai/log/console_log_sink.h"
#include "tai/store/deploy_record.h"
#include "tai/store/store_sinks.h"
#include "tai/trace/sampler.h"
#include "tai/web/log_levels_endpoint.h"
#include "tai/web/prometheus_endpoint.h"

namespace tai {
namespace {

// The configured sampler's name and the ratio the ratio samplers use: the
// configured one, or the environment's default.
std::string SamplerName(const Config& c) {
  return c.traces.sampler.empty() ? "parentbased_traceidratio" : c.traces.sampler;
}
double SampleRatio(const Config& c) {
  return c.traces.sample_ratio >= 0 ? c.traces.sample_ratio
                                    : DefaultSampleRatio(c.resource.environment);
}

Result<std::shared_ptr<const Sampler>> MakeSampler(const Config& c) {
  return SamplerFromName(SamplerName(c), "", SampleRatio(c));
}

}  // namespace

Observability::Observability(Config config) : config_(std::move(config)) {}

namespace {

// `queues` gets the OTLP sink, for the self-metrics.
Result<std::unique_ptr<LogPipeline>> MakeLogPipeline(
    const LogsConfig& c, std::shared_ptr<const Resource> resource,
    std::vector<std::shared_ptr<const DeliveryStatsSource>>* queues) {
  LogPipelineOptions options{.level = c.level,
                             .queue_capacity = c.queue_capacity,
                             .rate_limit_per_site = c.rate_limit_per_site};
  for (const std::string& k : c.extra_redacted_keys) options.redacted_keys.push_back(k);
  auto logs = std::make_unique<LogPipeline>(std::move(options), std::move(resource));
  TAI_RETURN_IF_ERROR(logs->SetLevels(c.logger_levels));
  LogFormat format = c.format;
  if (format == LogFormat::kAuto) format = ::isatty(1) ? LogFormat::kConsole : LogFormat::kJson;
  if (format == LogFormat::kJson) logs->AddSink(std::make_shared<CloudLoggingJsonSink>());
  if (format == LogFormat::kConsole) {
    logs->AddSink(std::make_shared<ConsoleLogSink>(ConsoleLogOptions{.fd = 1}));
  }
  if (!c.otlp_endpoint.empty()) {
    TAI_ASSIGN_OR_RETURN(auto otlp, OtlpLogSink::Create({.endpoint = c.otlp_endpoint}));
    logs->AddSink(otlp);
    queues->push_back(otlp);
  }
  TAI_RETURN_IF_ERROR(logs->Start());
  return logs;
}

}  // namespace

Result<std::unique_ptr<Observability>> Observability::Start(Config config) {
  if (config.resource.instance_id.empty()) config.resource.instance_id = NewSpanId().ToHex();
  TAI_RETURN_IF_ERROR(config.Validate());
  std::unique_ptr<Observability> obs(new Observability(std::move(config)));
  const Config& c = obs->config_;
  obs->resource_ = std::make_shared<const Resource>(c.resource);
  obs->registry_ = std::make_unique<MetricRegistry>(
      MetricRegistryOptions{.cardinality_limit = c.metrics.cardinality_limit}, obs->resource_);
  TAI_ASSIGN_OR_RETURN(obs->logs_,
                       MakeLogPipeline(c.logs, obs->resource_, &obs->delivery_sources_));
  obs->collector_ = std::make_unique<MetricCollector>(*obs->registry_, c.metrics.collect_interval);
  // Recent points for the design API's queries only; the embedded store
  // keeps the history, so a few MiB will do (a service with many
  // histogram series would otherwise hold 1000 points of each).
  obs->metric_store_ = std::make_shared<InMemoryMetricStore>(1000, 10000, 4 << 20);
  obs->collector_->AddSink(obs->metric_store_);
  // Self-metric: what became of the log records (tai_log_records_total{outcome}).
  MetricDescriptor log_records{.metric_type = "tai_log_records",
                               .value_type = MetricType::kCumulative,
                               .description =
                                   "Log records by outcome: exported to the sinks, or "
                                   "dropped (queue full, rate limit, shutdown)",
                               .labels = {{"outcome", "", "string"}}};
  obs->log_metrics_callback_ =
      obs->registry_
          ->CreateCallbackCounter(
              log_records,
              [logs = obs->logs_.get()](Observer& o) {
                LogPipelineStats s = logs->stats();
                o.Observe(s.exported, {{"outcome", "exported"}});
                o.Observe(s.dropped_queue_full, {{"outcome", "queue_full"}});
                o.Observe(s.suppressed_rate_limit, {{"outcome", "rate_limited"}});
                o.Observe(s.dropped_at_shutdown, {{"outcome", "shutdown"}});
              })
          .value_or(0);
  TAI_RETURN_IF_ERROR(obs->StartGoldenSignals());
  if (c.metrics.prometheus_enabled) {
    HttpServerOptions server = c.server;
    server.address = c.metrics.prometheus_address;
    server.reserved_paths = {"/metrics", "/healthz"};
    obs->server_ = std::make_unique<HttpServer>(std::move(server));
    ServePrometheus(*obs->server_, *obs->registry_, c.metrics.prometheus_units);
    ServeLogLevels(*obs->server_, *obs->logs_);
    obs->ServeHealth();
    // Bound now (a busy port fails Start at once) and served once the
    // dashboard's routes are in: the alert engine's links need the URL.
    TAI_RETURN_IF_ERROR(obs->server_->Bind());
  }
  TAI_RETURN_IF_ERROR(obs->StartTracing());
  if (c.store.enabled) obs->StartStore();
  if (c.alerts.enabled) TAI_RETURN_IF_ERROR(obs->StartAlerts());
  TAI_RETURN_IF_ERROR(obs->StartDashboard());
  if (obs->server_) TAI_RETURN_IF_ERROR(obs->server_->Start());
  if (c.gcp.enabled) TAI_RETURN_IF_ERROR(obs->StartGcpExport());
  if (c.gcp.enabled) TAI_RETURN_IF_ERROR(obs->StartAlertPolicySync());
  obs->delivery_metric_ids_ =
      internal::RegisterDeliveryMetrics(*obs->registry_, obs->delivery_sources_);
  internal::WatchHealth(*obs);
  TAI_RETURN_IF_ERROR(obs->collector_->Start());
  obs->SayWhatIsInEffect();
  obs->started_.store(true, std::memory_order_release);
  return obs;
}

// The golden signals every service has without hand work: HTTP traffic
// (for the servers and clients that use these metrics) and the process's
// CPU, memory and friends.
Status Observability::StartGoldenSignals() {
  TAI_ASSIGN_OR_RETURN(http_server_metrics_, HttpServerMetrics::Create(*registry_));
  TAI_ASSIGN_OR_RETURN(http_client_metrics_, HttpClientMetrics::Create(*registry_));
  if (config_.metrics.process_metrics) {
    TAI_ASSIGN_OR_RETURN(process_metrics_, ProcessMetrics::Register(*registry_));
  }
  return Status::Ok();
}

// Once, at start: a service left on the dev defaults samples every trace,
// which is right on a laptop and costly in production, so say so and how
// to change it.
void Observability::SayWhatIsInEffect() {
  const Config& c = config_;
  const std::string sampler = SamplerName(c);
  const bool by_ratio = sampler.find("always") == std::string::npos;
  const double ratio = by_ratio ? SampleRatio(c) : sampler.ends_with("always_on") ? 1 : 0;
  TAI_LOG_INFO(logs_->GetLogger("tai"),
               "environment {}: traces sampled at {}% ({}{}); set TAI_ENV (dev, staging, "
               "prod) or OTEL_TRACES_SAMPLER_ARG to change it",
               EnvironmentName(c.resource.environment), ratio * 100, sampler,
               by_ratio && c.traces.sample_ratio < 0 ? ", the environment's default ratio" : "");
}

Status Observability::StartTracing() {
  const TracesConfig& t = config_.traces;
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(auto sampler, MakeSampler(config_), "traces");
  span_processor_ = std::make_shared<BatchSpanProcessor>(
      *resource_, BatchSpanProcessorOptions{.queue_size = t.queue_size,
                                            .batch_traces = t.batch_traces,
                                            .max_batch_spans = t.max_batch_spans,
                                            .export_interval = t.export_interval});
  recent_spans_ = std::make_shared<InMemorySpanSink>(t.recent_spans);
  span_processor_->AddSink(recent_spans_);
  if (t.stdout_exporter) span_processor_->AddSink(std::make_shared<StdoutSpanSink>());
  if (t.otlp_exporter) {
    TAI_ASSIGN_OR_RETURN(auto otlp, OtlpSpanSink::Create({.endpoint = t.otlp_endpoint,
                                                          .traces_url = t.otlp_traces_url,
                                                          .headers = t.otlp_headers,
                                                          .gzip = t.otlp_gzip,
                                                          .timeout = t.otlp_timeout}));
    span_processor_->AddSink(otlp);
    delivery_sources_.push_back(otlp);
  }
  tracer_ = std::make_unique<Tracer>(span_processor_,
                                     TracerOptions{.sampler = sampler,
                                                   .limits = t.limits,
                                                   .keep_error_traces = t.keep_error_traces,
                                                   .error_buffer_spans = t.error_buffer_spans});
  trace_metric_ids_ = internal::RegisterTraceMetrics(*registry_, *tracer_, *span_processor_);
  SetGlobalTracer(tracer_.get());
  return Status::Ok();
}

namespace {

// Per user and service, so neither another user nor another service can
// read or take over the spilled requests.
std::string DefaultSpillDirectory(const Resource& resource) {
  const char* tmp = std::getenv("TMPDIR");
  std::string service = resource.service_name;
  for (char& c : service) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/tai-observability-" +
         std::to_string(::getuid()) + "/" + service;
}

// What the metadata server says about where we run (1 s at most when there
// is none), unless told not to ask.
std::optional<gcp::MetadataInfo> AskMetadataServer(const GcpExportConfig& g) {
  if (!g.detect_resource) return std::nullopt;
  auto info = gcp::ReadMetadata(g.endpoints, std::chrono::seconds(1));
  if (!info.ok()) return std::nullopt;
  return std::move(*info);
}

}  // namespace

Status Observability::StartGcpExport() {
  const GcpExportConfig& g = config_.gcp;
  if (g.authenticate) {
    TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(
        auto credentials,
        gcp::DefaultCredentials(g.endpoints, [](const char* name) { return std::getenv(name); }),
        "Google Cloud export");
    gcp_tokens_ = std::make_shared<gcp::AccessTokenSource>(std::move(credentials));
  }
  const std::string& project = resource_->gcp_project;
  gcp::GcpApiOptions api{.project_id = project, .endpoints = g.endpoints, .tokens = gcp_tokens_};
  api.delivery = g.delivery;
  if (g.default_spill_directory) api.delivery.spill_directory = DefaultSpillDirectory(*resource_);
  const std::optional<gcp::MetadataInfo> metadata = AskMetadataServer(g);
  const gcp::MonitoredResource where = gcp::DetectMonitoredResource(
      *resource_, project, metadata, [](const char* name) { return std::getenv(name); });
  gcp_api_ = api;
  TAI_ASSIGN_OR_RETURN(auto monitoring,
                       gcp::CloudMonitoringMetricSink::Create(
                           {.api = api, .resource = where, .self_metrics = g.self_metrics}));
  collector_->AddSink(monitoring);
  delivery_sources_.push_back(monitoring);
  TAI_ASSIGN_OR_RETURN(auto trace, gcp::CloudTraceSpanSink::Create({.api = api}));
  span_processor_->AddSink(trace);
  delivery_sources_.push_back(trace);
  if (g.logs_api) {
    TAI_ASSIGN_OR_RETURN(auto logging,
                         gcp::CloudLoggingLogSink::Create({.api = api, .resource = where}));
    logs_->AddSink(logging);
    delivery_sources_.push_back(logging);
  }
  if (g.profiler) {
    TAI_ASSIGN_OR_RETURN(auto agent,
                         gcp::CloudProfilerAgent::Create(
                             {.api = api,
                              .target = resource_->service_name,
                              .version = resource_->service_version,
                              .zone = !g.zone.empty() || !metadata ? g.zone : metadata->zone,
                              .instance = resource_->instance_id}));
    TAI_RETURN_IF_ERROR(agent->Start());
    profiler_agent_ = std::move(agent);
  }
  return Status::Ok();
}

// The store is a sink like the others: the collector, the span processor
// and the log pipeline hand it their batches. It failing to open (another
// process holds the file, a read-only directory) is reported once, in the
// library's own log, and the service runs on without it.
void Observability::StartStore() {
  StoreOptions options = config_.store.options;
  if (options.path.empty()) options.path = DefaultStorePath(resource_->service_name);
  if (!options.on_error) {
    store_errors_ = std::make_shared<internal::ClosableLogReport>(&logs_->GetLogger("tai.store"));
    options.on_error = [report = store_errors_](const std::string& m) { report->Report(m); };
  }
  auto store = Store::Open(options);
  if (!store.ok()) {
    store_status_ = store.status();
    TAI_LOG_WARN(logs_->GetLogger("tai.store"), "running without the embedded store: {}",
                 store_status_.ToString());
    return;
  }
  store_ = std::move(*store);
  // This start is a deploy: the dashboard marks it on its charts.
  RecordDeploy(*store_, *resource_, options.clock ? options.clock() : WallNanos());
  collector_->AddSink(std::make_shared<StoreMetricSink>(store_));
  span_processor_->AddSink(std::make_shared<StoreSpanSink>(store_));
  logs_->AddSink(std::make_shared<StoreLogSink>(store_));
  MetricDescriptor dropped{.metric_type = "tai_store_dropped",
                           .value_type = MetricType::kCumulative,
                           .description =
                               "Records the embedded store dropped (queue full, "
                               "failed write), by signal",
                           .labels = {{"signal", "", "string"}}};
  store_metrics_callback_ =
      registry_
          ->CreateCallbackCounter(
              dropped,
              [s = store_.get()](Observer& o) {
                const StoreStats st = s->stats();
                for (size_t i = 0; i < kStoreSignalCount; ++i) {
                  o.Observe(st.dropped[i],
                            {{"signal", StoreSignalName(static_cast<StoreSignal>(i))}});
                }
              })
          .value_or(0);
}

Observability::~Observability() { Shutdown(); }

void Observability::AddSpanSink(std::shared_ptr<SpanSink> sink) {
  span_processor_->AddSink(std::move(sink));
}

std::string Observability::dashboard_url() const {
  return dashboard_served_ ? server_->url() + "/" : "";
}

Status Observability::StartDashboard() {
  using Mode = DashboardServerConfig::Mode;
  const DashboardServerConfig& d = config_.dashboard;
  if (d.mode == Mode::kOff) return Status::Ok();
  if (!server_) {
    dashboard_status_ = FailedPreconditionError(
        "the dashboard is served by the /metrics server, which is off (TAI_PROMETHEUS_ADDR)");
  } else if (!store_) {
    dashboard_status_ = FailedPreconditionError(
        "the dashboard reads the embedded store, and " +
        (store_status_.ok() ? std::string("it is off (TAI_STORE)") : store_status_.ToString()));
  } else {
    dashboard_status_ = CheckDashboardBinding(config_.metrics.prometheus_address, d.access_token);
  }
  if (!dashboard_status_.ok()) {
    if (d.mode == Mode::kOn) return dashboard_status_.WithContext("dashboard");
    // Said when it surprises: not when the store or the server was turned off.
    const bool chosen = !server_ || (!store_ && store_status_.ok());
    if (!chosen) {
      TAI_LOG_WARN(logger("tai.dashboard"), "the dashboard is not served: {}",
                   dashboard_status_.ToString());
    }
    return Status::Ok();
  }
  TAI_RETURN_IF_ERROR(ServeDashboardApi(*server_, {.store = store_.get(),
                                                   .alerts = alerts_.get(),
                                                   .service_name = resource_->service_name,
                                                   .access_token = d.access_token})
                          .WithContext("dashboard"));
  dashboard_served_ = true;
  return Status::Ok();
}

std::string Observability::metrics_url() const {
  return server_ ? server_->url() + "/metrics" : "";
}

void Observability::AddMetricSink(std::shared_ptr<MetricSink> sink) {
  collector_->AddSink(std::move(sink));
}

void Observability::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  const auto until = std::chrono::steady_clock::now() + config_.shutdown_deadline;
  auto left = [&] {
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                        until - std::chrono::steady_clock::now()),
                    std::chrono::milliseconds(0));
  };
  // First: it may hold a long poll open and a profile running.
  if (profiler_agent_) profiler_agent_->Stop();
  // No evaluation runs once shutdown starts; what it notified still goes out.
  if (alerts_) alerts_->Stop();
  // Cuts its calls and retries short; what it made stays made.
  alert_policy_sync_.reset();
  if (tracer_ && &GlobalTracer() == tracer_.get()) SetGlobalTracer(nullptr);
  if (span_processor_) span_processor_->Shutdown(left());
  // A Start that failed part way leaves later parts unmade; stop what exists.
  if (collector_) collector_->Stop(left());
  if (server_) {
    // The dashboard's queries stop now instead of at their timeout, so the
    // server's stop does not wait for them.
    std::optional<Store::QueryCancellation> cancel;
    if (store_) cancel.emplace(store_->CancelQueries());
    server_->Stop();
  }
  if (registry_) {
    for (uint64_t id : trace_metric_ids_) registry_->RemoveCallback(id);
    for (uint64_t id : delivery_metric_ids_) registry_->RemoveCallback(id);
    if (log_metrics_callback_) registry_->RemoveCallback(log_metrics_callback_);
    if (store_metrics_callback_) registry_->RemoveCallback(store_metrics_callback_);
    if (http_metrics_callback_) registry_->RemoveCallback(http_metrics_callback_);
    for (uint64_t id : alert_metric_ids_) registry_->RemoveCallback(id);
  }
  if (notifications_) notifications_->Shutdown(left());
  // Logs last, so that what the other pillars log while stopping is kept.
  if (store_errors_) store_errors_->Close();
  if (logs_) logs_->Stop(left());
  if (store_) (void)store_->Flush(left());
}

}  // namespace tai

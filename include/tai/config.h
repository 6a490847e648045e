// Config: everything Observability::Start needs, with production defaults.
// Fill it in code, or read it from the environment with Config::FromEnv():
//
//   TAI_SERVICE_NAME / OTEL_SERVICE_NAME   service name
//   TAI_SERVICE_VERSION                    service version
//   TAI_INSTANCE_ID                        instance id (random when unset)
//   TAI_ENV                                dev | staging | prod
//   GOOGLE_CLOUD_PROJECT                   Google Cloud project id
//   OTEL_RESOURCE_ATTRIBUTES               k1=v1,k2=v2 extra resource attributes
//   TAI_METRICS_INTERVAL                   collection interval: 10s, 500ms, 1m (default 10s;
//                                          10ms-1h)
//   TAI_METRICS_CARDINALITY_LIMIT          series per metric (default 2000; 1-1000000)
//   TAI_PROMETHEUS_ADDR                    host:port of /metrics, or "off" (default 127.0.0.1:9464)
//   TAI_PROMETHEUS_UNITS                   base (default) | keep: see docs/metrics.md
//   TAI_PROCESS_METRICS                    true (default) | false: process.cpu.time, memory...
//   TAI_HTTP_WORKERS                       the embedded server's handler threads (default 4;
//                                          1-64)
//   TAI_HTTP_MAX_CONNECTIONS               open connections (default 256; 1-65536), and
//   TAI_HTTP_MAX_CONNECTIONS_PER_PEER      per client address (default 64; 1-65536)
//   TAI_HTTP_MAX_QUEUED_REQUESTS           requests waiting for a worker (default 64; 1-65536)
//   TAI_HTTP_MAX_BODY_BYTES                request body bytes (default 8388608; 1024-268435456)
//   TAI_HTTP_IDLE_TIMEOUT, TAI_HTTP_REQUEST_TIMEOUT, TAI_HTTP_WRITE_TIMEOUT
//                                          10s, 500ms, or seconds (default 10s each;
//                                          100ms-1h); TAI_HTTP_SHUTDOWN_TIMEOUT (2s; 0-1m)
//   OTEL_TRACES_SAMPLER                    always_on | always_off | traceidratio |
//                                          parentbased_always_on | parentbased_always_off |
//                                          parentbased_traceidratio (default)
//   OTEL_TRACES_SAMPLER_ARG                ratio; default by TAI_ENV: dev 1, staging 0.1, prod 0.01
//   TAI_TRACE_KEEP_ERRORS                  true (default) | false: export unsampled error traces
//   OTEL_BSP_MAX_QUEUE_SIZE                span queue (default 2048; 1-1000000)
//   OTEL_BSP_MAX_EXPORT_BATCH_SIZE         spans per batch at most (default 512; 1-100000)
//   TAI_TRACE_BATCH_TRACES                 export after this many complete traces (default 100;
//                                          1-100000)
//   OTEL_BSP_SCHEDULE_DELAY                export at least this often, ms (default 30000;
//                                          10-3600000)
//   OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT,
//   OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT      span limits (128, 128, 128, none; counts 1-10000,
//                                          length 1-1048576)
//   OTEL_TRACES_EXPORTER                   comma list of otlp, console, none (default: otlp
//                                          when an OTLP endpoint is set, else none)
//   OTEL_EXPORTER_OTLP_ENDPOINT            OTLP/HTTP base URL; /v1/traces is appended
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT     full URL for traces
//   OTEL_EXPORTER_OTLP_HEADERS             k=v,k2=v2 (also ..._TRACES_HEADERS)
//   OTEL_EXPORTER_OTLP_COMPRESSION         gzip | none
//   OTEL_EXPORTER_OTLP_TIMEOUT             ms (default 10000; 1-600000)
//   TAI_GCP_EXPORT                         true: metrics to Cloud Monitoring and spans to
//                                          Cloud Trace for GOOGLE_CLOUD_PROJECT (default false)
//   GOOGLE_APPLICATION_CREDENTIALS         key file (else gcloud's ADC file, else the
//                                          metadata server; GCE_METADATA_HOST moves it)
//   TAI_GCP_TOKEN_URL, TAI_GCP_MONITORING_ENDPOINT, TAI_GCP_TRACE_ENDPOINT,
//   TAI_GCP_LOGGING_ENDPOINT, TAI_GCP_PROFILER_ENDPOINT   endpoint overrides (emulators)
//   TAI_GCP_AUTH                           false: send no credentials (an emulator)
//   TAI_GCP_LOGS_API                       true: logs through Cloud Logging's API as well
//                                          (default false: stdout JSON is ingested already)
//   TAI_GCP_DETECT_RESOURCE                false: do not ask the metadata server where we
//                                          run (resource gce_instance / k8s_container)
//   TAI_GCP_BUFFER_MB, TAI_GCP_SPILL_MB    per exporter, requests held in memory (8; 1-4096)
//                                          and on disk (256; 1-1048576) while an API is
//                                          unreachable
//   TAI_GCP_SPILL_DIR                      where they spill ("none": memory only)
//   TAI_GCP_PROFILER                       true: run the Cloud Profiler agent as well (needs
//                                          TAI_GCP_EXPORT; target = the service name)
//   TAI_GCP_ZONE                           the zone label of the Cloud Profiler deployment
//                                          (default: the metadata server's zone)
//   TAI_GCP_ALERT_POLICIES                 sync: create and update the rule file's alert
//                                          policies in Cloud Monitoring at start (needs
//                                          TAI_GCP_EXPORT and TAI_ALERT_RULES) | off (default)
//   TAI_GCP_ALERT_POLICIES_PRUNE           true: also delete the policies it made whose rule
//                                          is gone (default false)
//   TAI_LOG_LEVEL                          info (default), or "warn,payments=debug": global
//                                          level, then per-logger levels
//   TAI_LOG_FORMAT                         auto (default: console on a terminal, else json)
//                                          | json | console | off: the stdout log sink
//   TAI_LOG_QUEUE_SIZE                     log records queued before drops (default 8192;
//                                          2-1048576)
//   TAI_LOG_RATE_LIMIT                     records per second per call site (default 0: none;
//                                          0-1000000)
//   TAI_LOG_REDACT_KEYS                    k1,k2 field keys to redact besides the defaults
//   OTEL_EXPORTER_OTLP_LOGS_ENDPOINT       OTLP/HTTP logs receiver (else
//   OTEL_EXPORTER_OTLP_ENDPOINT
//                                          + /v1/logs); unset: no OTLP log export
//   TAI_STORE                              on (default) | off: the embedded store
//   TAI_STORE_PATH                         its file (default ./tai-data/<service>.db)
//   TAI_STORE_ARCHIVE_DIR                  where daily rollups past a month go as gzip JSON
//                                          lines (default: none, they are deleted)
//   TAI_ALERTS                             on (default) | off: the alert engine (needs the store)
//   TAI_ALERT_RULES                        a YAML or JSON rule file of rules and SLOs
//   TAI_ALERTMANAGER_URL, TAI_ALERT_WEBHOOK_URL, TAI_SLACK_WEBHOOK_URL,
//   TAI_PAGERDUTY_ROUTING_KEY (TAI_PAGERDUTY_URL)   notifiers; secrets, never logged
//   TAI_ALERT_NOTIFY                       all (default: firing, repeats, resolutions) |
//                                          changes (a firing alert once, its resolution)
//   TAI_DASHBOARD                          auto (default: served on a loopback address or with
//                                          a token) | on (refuse to start otherwise) | off
//   TAI_DASHBOARD_TOKEN                    access token for the dashboard and /metrics; needed
//                                          to serve the dashboard on a non-loopback address
//
// A value outside its range, an OTLP endpoint that is not an http(s) URL
// with a host and a valid port, or a header with a control character is
// refused with an error naming the variable.
//
// A value type. Not synchronised.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/parse.h"
#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/export/delivery_options.h"
#include "tai/export/prometheus_text.h"
#include "tai/gcp/credentials.h"
#include "tai/log/log_level.h"
#include "tai/store/store_options.h"
#include "tai/trace/trace.h"
#include "tai/web/http_server.h"

namespace tai {

struct MetricsConfig {
  std::chrono::milliseconds collect_interval{10'000};
  size_t cardinality_limit = 2000;
  bool prometheus_enabled = true;
  std::string prometheus_address = "127.0.0.1:9464";  // port 0 picks a free port
  PrometheusUnitStyle prometheus_units = PrometheusUnitStyle::kBaseUnits;
  // CPU, memory, threads, descriptors, faults, context switches and uptime
  // of the process (tai/metrics/process_metrics.h), read at each collection.
  bool process_metrics = true;
};

struct TracesConfig {
  // An OTEL_TRACES_SAMPLER name; empty means parentbased_traceidratio.
  std::string sampler;
  // The ratio for the ratio samplers; negative means the environment's default.
  double sample_ratio = -1;
  bool keep_error_traces = true;
  size_t error_buffer_spans = 64;
  size_t queue_size = 2048;
  size_t batch_traces = 100;
  size_t max_batch_spans = 512;
  std::chrono::milliseconds export_interval{30'000};
  SpanLimits limits;
  bool stdout_exporter = false;
  bool otlp_exporter = false;
  std::string otlp_endpoint = "http://127.0.0.1:4318";
  std::string otlp_traces_url;  // wins over otlp_endpoint when set
  std::vector<std::pair<std::string, std::string>> otlp_headers;
  bool otlp_gzip = false;
  std::chrono::milliseconds otlp_timeout{10'000};
  // Spans kept in memory for the query side (dashboard, tests).
  size_t recent_spans = 10'000;
};

struct GcpExportConfig {
  bool enabled = false;
  gcp::GcpEndpoints endpoints;
  bool authenticate = true;
  // Also send logs through the Cloud Logging API. Off by default: on GKE,
  // Cloud Run and GCE the stdout JSON is ingested already, and both would
  // store every record twice.
  bool logs_api = false;
  // Also send the library's own health metrics (tai_*) to Cloud Monitoring
  // (TAI_GCP_SELF_METRICS). Off by default: each is a billable custom
  // metric there, and Prometheus and the embedded store have them already.
  bool self_metrics = false;
  // Ask the metadata server where we run (TAI_GCP_DETECT_RESOURCE), so
  // metrics and logs are filed under gce_instance or k8s_container rather
  // than generic_task.
  bool detect_resource = true;
  // How the exporters hold requests during an outage (tai/export/delivery_options.h).
  // TAI_GCP_BUFFER_MB sets delivery.memory_bytes, TAI_GCP_SPILL_MB
  // delivery.spill_bytes, TAI_GCP_SPILL_DIR the directory ("none": memory
  // only). Without TAI_GCP_SPILL_DIR the exporters spill under
  // $TMPDIR/tai-observability-<uid>/<service name>; point it at a volume
  // for requests to outlive the container.
  DeliveryOptions delivery;
  bool default_spill_directory = true;
  // Run the Cloud Profiler agent (docs/gcp.md): CPU, wall, heap (when the
  // heap hooks are linked in) and thread profiles when the server asks.
  bool profiler = false;
  // The deployment's zone label ("us-central1-a"); "" leaves it out.
  std::string zone;
  // kSync: at start, on a thread of its own, make the alert policies of the
  // rule file's rules and SLOs exist in Cloud Monitoring
  // (tai/cloud_alert_policies.h). Default kOff: policies are billable
  // objects a team may manage elsewhere, so nothing is created unasked.
  enum class AlertPolicies { kOff, kSync };
  AlertPolicies alert_policies = AlertPolicies::kOff;
  // Also delete the policies this service made whose rule left the file.
  // Default false.
  bool prune_alert_policies = false;
  // A sync that failed for an outage is tried again after this, doubling up
  // to 10 minutes, until it succeeds or the service stops. Default 30 s.
  std::chrono::milliseconds alert_policy_retry{30'000};
};

// Where the stdout log sink writes and how: kAuto is the console format on
// a terminal and Cloud Logging JSON otherwise (a container).
enum class LogFormat { kAuto, kJson, kConsole, kOff };

struct LogsConfig {
  LogLevel level = LogLevel::kInfo;
  std::string logger_levels;  // "payments=debug,db=warn"
  LogFormat format = LogFormat::kAuto;
  size_t queue_capacity = 8192;
  uint32_t rate_limit_per_site = 0;  // 0: no limit
  std::vector<std::string> extra_redacted_keys;
  std::string otlp_endpoint;  // empty: no OTLP/HTTP log export
};

// The embedded store (docs/store.md): every signal kept on local disk.
struct StoreConfig {
  bool enabled = true;
  // options.path "" means DefaultStorePath(service name): ./tai-data/<service>.db.
  StoreOptions options;
};

// The alert engine and its notifiers (docs/alerting.md). The engine reads
// the embedded store, so it runs only when the store does. The receiver
// URLs and the routing key are secrets: never logged, never in errors.
struct AlertsConfig {
  bool enabled = true;
  // A YAML or JSON rule file (rules and SLOs), reloaded when it changes.
  std::string rule_file;
  std::string alertmanager_url;       // Alertmanager's base URL
  std::string webhook_url;            // a receiver of Alertmanager's webhook payload
  std::string slack_webhook_url;      // a Slack incoming webhook
  std::string pagerduty_routing_key;  // a PagerDuty Events v2 integration key
  std::string pagerduty_url;          // the events endpoint (tests)
  // Only changes are notified: a firing alert once, then its resolution.
  bool notify_only_new_firing = false;

  // The receivers above under their environment variables' names, as
  // NotifiersFromEnvironment (tai/alert/notifiers.h) reads them. Valid while
  // this config lives.
  std::function<std::string(std::string_view)> NotifierVariables() const;
};

// The dashboard (docs/dashboard.md): pages and /api/ on the same HTTP server
// as /metrics, reading the store (so served only when the store is on).
struct DashboardServerConfig {
  // kAuto serves it when the server's address is loopback or an access token
  // is set, and otherwise skips it saying why; kOn fails Start instead.
  enum class Mode { kAuto, kOn, kOff };
  Mode mode = Mode::kAuto;
  // Asked of every request (pages, /api/, and /metrics too) once set; at
  // least 16 characters of [A-Za-z0-9._~+/=-]. A secret: never logged.
  std::string access_token;
};

struct Config {
  Resource resource;
  MetricsConfig metrics;
  // The embedded server's bounds on what clients control (docs/security.md).
  // Its address is metrics.prometheus_address, and /metrics and /healthz get
  // a worker of their own: `address` and `reserved_paths` here are ignored.
  HttpServerOptions server;
  TracesConfig traces;
  GcpExportConfig gcp;
  LogsConfig logs;
  StoreConfig store;
  AlertsConfig alerts;
  DashboardServerConfig dashboard;
  // How long Shutdown() may take to flush everything.
  std::chrono::milliseconds shutdown_deadline{5'000};

  // Reads the variables listed above on top of the defaults. A variable with a
  // bad value is an error that names the variable and the value.
  using EnvLookup = std::function<const char*(const char*)>;
  static Result<Config> FromEnv();
  static Result<Config> FromEnv(const EnvLookup& getenv);

  Status Validate() const;
};

}  // namespace tai

#include "tai/config.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>

#include "core/text.h"
#include "gcp/profiler_api.h"
#include "tai/alert/notifiers.h"
#include "tai/core/ids.h"
#include "tai/core/parse.h"
#include "tai/log/log_pipeline.h"
#include "tai/trace/sampler.h"

namespace tai {
namespace {

std::string Trim(std::string_view s) { return std::string(internal::TrimSpaces(s)); }

Status EnvError(const char* var, std::string_view value, const Status& why) {
  return InvalidArgumentError(std::string(var) + "='" + std::string(value) + "': " + why.message());
}

// EnvError for TAI_ASSIGN_OR_RETURN_MAP_ERROR, once the variable is known.
auto EnvErrorFor(const char* var, std::string_view value) {
  return [var, value](const Status& why) { return EnvError(var, value, why); };
}

using EnvGet = std::function<std::string_view(const char*)>;

// A whole number from the environment within [min, max]: the documented
// range of the setting (config.h). Past it the value is refused, naming the
// variable and the range, before anything is sized by it.
Status ReadCount(const EnvGet& get, const char* name, size_t min, size_t max, size_t* out) {
  auto v = get(name);
  if (v.empty()) return Status::Ok();
  size_t n = 0;
  const std::string text = Trim(v);
  auto r = std::from_chars(text.data(), text.data() + text.size(), n);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || n < min || n > max) {
    return EnvError(name, v,
                    InvalidArgumentError("expected a whole number from " + std::to_string(min) +
                                         " to " + std::to_string(max)));
  }
  *out = n;
  return Status::Ok();
}

// A duration from the environment within [min, max]: with a unit ("250ms",
// "10s"), or a bare number in `bare_unit` (OpenTelemetry's variables are in
// milliseconds, ours in seconds).
Status ReadDuration(const EnvGet& get, const char* name, std::string_view bare_unit,
                    std::chrono::milliseconds min, std::chrono::milliseconds max,
                    std::chrono::milliseconds* out) {
  auto v = get(name);
  if (v.empty()) return Status::Ok();
  const std::string text = Trim(v);
  const bool bare = !text.empty() && text.find_first_not_of("0123456789.") == std::string::npos;
  auto d = ParseDuration(bare ? text + std::string(bare_unit) : text);
  if (!d.ok()) return EnvError(name, v, d.status());
  if (*d < min || *d > max) {
    return EnvError(name, v,
                    InvalidArgumentError("expected a duration from " + std::to_string(min.count()) +
                                         " ms to " + std::to_string(max.count()) + " ms"));
  }
  *out = *d;
  return Status::Ok();
}

// An OTLP/HTTP endpoint from the environment: trimmed, and refused unless it
// is an http(s) URL that could work.
Status ReadUrl(const EnvGet& get, const char* name, std::string* out) {
  auto v = get(name);
  if (v.empty()) return Status::Ok();
  std::string url = Trim(v);
  if (Status s = ValidateHttpUrl(url); !s.ok()) return EnvError(name, v, s);
  *out = std::move(url);
  return Status::Ok();
}

Status ReadExporters(std::string_view v, TracesConfig* t) {
  t->otlp_exporter = t->stdout_exporter = false;
  for (const std::string& name : ParseList(v)) {
    if (name == "otlp") {
      t->otlp_exporter = true;
    } else if (name == "console" || name == "stdout") {
      t->stdout_exporter = true;
    } else if (name != "none") {
      return EnvError("OTEL_TRACES_EXPORTER", v,
                      InvalidArgumentError("exporter '" + name + "' is not otlp, console or none"));
    }
  }
  return Status::Ok();
}

Status ReadGcpEnv(const EnvGet& get, GcpExportConfig* g) {
  const std::pair<const char*, bool*> flags[] = {
      {"TAI_GCP_EXPORT", &g->enabled},
      {"TAI_GCP_AUTH", &g->authenticate},
      {"TAI_GCP_LOGS_API", &g->logs_api},
      {"TAI_GCP_SELF_METRICS", &g->self_metrics},
      {"TAI_GCP_DETECT_RESOURCE", &g->detect_resource},
      {"TAI_GCP_PROFILER", &g->profiler},
      {"TAI_GCP_ALERT_POLICIES_PRUNE", &g->prune_alert_policies}};
  for (const auto& [name, field] : flags) {
    if (auto v = get(name); !v.empty()) {
      TAI_ASSIGN_OR_RETURN_MAP_ERROR(*field, ParseBool(v), EnvErrorFor(name, v));
    }
  }
  const std::pair<const char*, std::string*> endpoints[] = {
      {"TAI_GCP_TOKEN_URL", &g->endpoints.token_url},
      {"GCE_METADATA_HOST", &g->endpoints.metadata_host},
      {"TAI_GCP_MONITORING_ENDPOINT", &g->endpoints.monitoring},
      {"TAI_GCP_TRACE_ENDPOINT", &g->endpoints.trace},
      {"TAI_GCP_LOGGING_ENDPOINT", &g->endpoints.logging},
      {"TAI_GCP_PROFILER_ENDPOINT", &g->endpoints.profiler},
      {"TAI_GCP_ZONE", &g->zone}};
  for (const auto& [name, field] : endpoints) {
    if (auto v = get(name); !v.empty()) *field = Trim(v);
  }
  if (auto v = get("TAI_GCP_ALERT_POLICIES"); !v.empty()) {
    const std::string mode = internal::AsciiLower(Trim(v));
    if (mode != "sync" && mode != "off") {
      return EnvError("TAI_GCP_ALERT_POLICIES", v, InvalidArgumentError("must be sync or off"));
    }
    g->alert_policies = mode == "sync" ? GcpExportConfig::AlertPolicies::kSync
                                       : GcpExportConfig::AlertPolicies::kOff;
  }
  size_t buffer_mb = g->delivery.memory_bytes >> 20;
  size_t spill_mb = static_cast<size_t>(g->delivery.spill_bytes >> 20);
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_GCP_BUFFER_MB", 1, 4096, &buffer_mb));
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_GCP_SPILL_MB", 1, 1 << 20, &spill_mb));
  g->delivery.memory_bytes = buffer_mb << 20;
  g->delivery.spill_bytes = static_cast<uint64_t>(spill_mb) << 20;
  if (auto v = get("TAI_GCP_SPILL_DIR"); !v.empty()) {
    g->default_spill_directory = false;
    const std::string dir = Trim(v);
    g->delivery.spill_directory = internal::AsciiLower(dir) == "none" ? "" : dir;
  }
  return Status::Ok();
}

Status ReadTracesEnv(const EnvGet& get, TracesConfig* t) {
  if (auto v = get("OTEL_TRACES_SAMPLER"); !v.empty()) t->sampler = Trim(v);
  if (auto v = get("OTEL_TRACES_SAMPLER_ARG"); !v.empty()) {
    double ratio = -1;
    std::string text = Trim(v);
    auto r = std::from_chars(text.data(), text.data() + text.size(), ratio);
    // Written so that NaN fails too.
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !(ratio >= 0 && ratio <= 1)) {
      return EnvError("OTEL_TRACES_SAMPLER_ARG", v,
                      InvalidArgumentError("expected a ratio between 0 and 1"));
    }
    t->sample_ratio = ratio;
  }
  if (auto v = get("TAI_TRACE_KEEP_ERRORS"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(t->keep_error_traces, ParseBool(v),
                                   EnvErrorFor("TAI_TRACE_KEEP_ERRORS", v));
  }
  TAI_RETURN_IF_ERROR(ReadCount(get, "OTEL_BSP_MAX_QUEUE_SIZE", 1, 1'000'000, &t->queue_size));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1, 100'000, &t->max_batch_spans));
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_TRACE_BATCH_TRACES", 1, 100'000, &t->batch_traces));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", 1, 10'000, &t->limits.max_attributes));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "OTEL_SPAN_EVENT_COUNT_LIMIT", 1, 10'000, &t->limits.max_events));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "OTEL_SPAN_LINK_COUNT_LIMIT", 1, 10'000, &t->limits.max_links));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", 1, 1 << 20, &t->limits.max_value_length));
  TAI_RETURN_IF_ERROR(ReadDuration(get, "OTEL_BSP_SCHEDULE_DELAY", "ms",
                                   std::chrono::milliseconds(10), std::chrono::hours(1),
                                   &t->export_interval));
  if (!get("OTEL_EXPORTER_OTLP_ENDPOINT").empty()) {
    TAI_RETURN_IF_ERROR(ReadUrl(get, "OTEL_EXPORTER_OTLP_ENDPOINT", &t->otlp_endpoint));
    t->otlp_exporter = true;
  }
  if (!get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").empty()) {
    TAI_RETURN_IF_ERROR(ReadUrl(get, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &t->otlp_traces_url));
    t->otlp_exporter = true;
  }
  for (const char* name : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"}) {
    if (auto v = get(name); !v.empty()) {
      TAI_ASSIGN_OR_RETURN_MAP_ERROR(auto headers, ParseKeyValueList(v), EnvErrorFor(name, v));
      for (auto& h : headers) {
        if (Status s = ValidateHttpHeader(h.first, h.second); !s.ok()) return EnvError(name, v, s);
        t->otlp_headers.push_back(std::move(h));
      }
    }
  }
  if (auto v = get("OTEL_EXPORTER_OTLP_COMPRESSION"); !v.empty()) {
    if (v != "gzip" && v != "none") {
      return EnvError("OTEL_EXPORTER_OTLP_COMPRESSION", v,
                      InvalidArgumentError("expected gzip or none"));
    }
    t->otlp_gzip = v == "gzip";
  }
  TAI_RETURN_IF_ERROR(ReadDuration(get, "OTEL_EXPORTER_OTLP_TIMEOUT", "ms",
                                   std::chrono::milliseconds(1), std::chrono::minutes(10),
                                   &t->otlp_timeout));
  if (auto v = get("OTEL_TRACES_EXPORTER"); !v.empty()) {
    TAI_RETURN_IF_ERROR(ReadExporters(v, t));
  }
  return Status::Ok();
}

// TAI_LOG_*: see config.h.
template <typename Get>
Status ReadLogsConfig(const Get& get, LogsConfig* logs) {
  if (auto v = get("TAI_LOG_LEVEL"); !v.empty()) {
    // The pipeline's own parser, so that what passes here also passes at
    // Start; the last item without a logger name is the global level.
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(auto items, ParseLogLevels(v), EnvErrorFor("TAI_LOG_LEVEL", v));
    logs->logger_levels.clear();
    for (const auto& [name, level] : items) {
      if (name.empty()) {
        logs->level = level;
        continue;
      }
      if (!logs->logger_levels.empty()) logs->logger_levels += ',';
      logs->logger_levels += name + "=" + internal::AsciiLower(LogLevelName(level));
    }
  }
  if (auto v = get("TAI_LOG_FORMAT"); !v.empty()) {
    if (v == "auto") {
      logs->format = LogFormat::kAuto;
    } else if (v == "json") {
      logs->format = LogFormat::kJson;
    } else if (v == "console") {
      logs->format = LogFormat::kConsole;
    } else if (v == "off") {
      logs->format = LogFormat::kOff;
    } else {
      return EnvError("TAI_LOG_FORMAT", v,
                      InvalidArgumentError("expected auto, json, console or off"));
    }
  }
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_LOG_QUEUE_SIZE", 2, 1 << 20, &logs->queue_capacity));
  size_t rate = logs->rate_limit_per_site;
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_LOG_RATE_LIMIT", 0, 1'000'000, &rate));
  logs->rate_limit_per_site = static_cast<uint32_t>(rate);
  if (auto v = get("TAI_LOG_REDACT_KEYS"); !v.empty()) logs->extra_redacted_keys = ParseList(v);
  TAI_RETURN_IF_ERROR(ReadUrl(get, "OTEL_EXPORTER_OTLP_ENDPOINT", &logs->otlp_endpoint));
  TAI_RETURN_IF_ERROR(ReadUrl(get, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", &logs->otlp_endpoint));
  return Status::Ok();
}

Status ReadStoreEnv(const EnvGet& get, StoreConfig* store) {
  if (auto v = get("TAI_STORE"); !v.empty()) {
    if (v == "off" || v == "on") {
      store->enabled = v == "on";
    } else {
      auto b = ParseBool(v);
      if (!b.ok()) return EnvError("TAI_STORE", v, InvalidArgumentError("expected on or off"));
      store->enabled = *b;
    }
  }
  if (auto v = get("TAI_STORE_PATH"); !v.empty()) store->options.path = Trim(v);
  if (auto v = get("TAI_STORE_ARCHIVE_DIR"); !v.empty()) {
    store->options.retention.archive_directory = Trim(v);
  }
  return Status::Ok();
}

// The documented ranges of the sizes (config.h): what sizes a queue or a
// buffer is bounded, so that a typo cannot reserve gigabytes.
Status CheckSizes(const Config& c) {
  struct Size {
    const char* what;
    size_t value, min, max;
  };
  const Size sizes[] = {
      {"metrics: cardinality limit", c.metrics.cardinality_limit, 1, 1'000'000},
      {"traces: queue size", c.traces.queue_size, 1, 1'000'000},
      {"traces: batch traces", c.traces.batch_traces, 1, 100'000},
      {"traces: batch spans", c.traces.max_batch_spans, 1, 100'000},
      {"logs: queue capacity", c.logs.queue_capacity, 1, 1 << 20},
      {"server: worker threads", c.server.worker_threads, 1, 64},
      {"server: max connections", c.server.max_connections, 1, 65536},
      {"server: max connections per peer", c.server.max_connections_per_peer, 1, 65536},
      {"server: max queued requests", c.server.max_queued_requests, 1, 65536},
      {"server: max body bytes", c.server.max_body_bytes, 1024, 256 << 20},
  };
  for (const Size& s : sizes) {
    if (s.value < s.min || s.value > s.max) {
      return InvalidArgumentError(std::string(s.what) + " " + std::to_string(s.value) +
                                  " is outside " + std::to_string(s.min) + "-" +
                                  std::to_string(s.max));
    }
  }
  for (auto [what, d] : {std::pair{"metrics: collect interval", c.metrics.collect_interval},
                         std::pair{"traces: export interval", c.traces.export_interval}}) {
    if (d > std::chrono::hours(1)) {
      return InvalidArgumentError(std::string(what) + " " + std::to_string(d.count()) +
                                  " ms is above the 1 h maximum");
    }
  }
  return Status::Ok();
}

// OTLP endpoints that could never work (another scheme, no host, a port out
// of range) and header lines that would split (CR, LF) are refused at start.
Status CheckOtlp(const TracesConfig& traces, const LogsConfig& logs) {
  if (traces.otlp_exporter) {
    const std::string& url =
        traces.otlp_traces_url.empty() ? traces.otlp_endpoint : traces.otlp_traces_url;
    TAI_RETURN_IF_ERROR(ValidateHttpUrl(url).WithContext("traces: OTLP endpoint"));
  }
  for (const auto& [name, value] : traces.otlp_headers) {
    TAI_RETURN_IF_ERROR(ValidateHttpHeader(name, value).WithContext("traces: OTLP headers"));
  }
  if (!logs.otlp_endpoint.empty()) {
    TAI_RETURN_IF_ERROR(ValidateHttpUrl(logs.otlp_endpoint).WithContext("logs: OTLP endpoint"));
  }
  return Status::Ok();
}

// TAI_ALERT*: see config.h. The receivers are checked by Validate (through
// the notifiers' own checks, which never repeat a secret).
Status ReadAlertsEnv(const EnvGet& get, AlertsConfig* alerts) {
  if (auto v = get("TAI_ALERTS"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(alerts->enabled, ParseBool(v), EnvErrorFor("TAI_ALERTS", v));
  }
  if (auto v = get("TAI_ALERT_RULES"); !v.empty()) alerts->rule_file = Trim(v);
  const std::pair<const char*, std::string*> receivers[] = {
      {"TAI_ALERTMANAGER_URL", &alerts->alertmanager_url},
      {"TAI_ALERT_WEBHOOK_URL", &alerts->webhook_url},
      {"TAI_SLACK_WEBHOOK_URL", &alerts->slack_webhook_url},
      {"TAI_PAGERDUTY_ROUTING_KEY", &alerts->pagerduty_routing_key},
      {"TAI_PAGERDUTY_URL", &alerts->pagerduty_url}};
  for (const auto& [name, field] : receivers) {
    if (auto v = get(name); !v.empty()) *field = Trim(v);
  }
  if (auto v = get("TAI_ALERT_NOTIFY"); !v.empty()) {
    if (v != "all" && v != "changes") {
      return EnvError("TAI_ALERT_NOTIFY", v, InvalidArgumentError("expected all or changes"));
    }
    alerts->notify_only_new_firing = v == "changes";
  }
  return Status::Ok();
}

// TAI_HTTP_*: see config.h. The ranges keep a typo from sizing the server
// past what a machine has, or below what it needs to answer at all.
Status ReadServerEnv(const EnvGet& get, HttpServerOptions* server) {
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_HTTP_WORKERS", 1, 64, &server->worker_threads));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "TAI_HTTP_MAX_CONNECTIONS", 1, 65536, &server->max_connections));
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_HTTP_MAX_CONNECTIONS_PER_PEER", 1, 65536,
                                &server->max_connections_per_peer));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "TAI_HTTP_MAX_QUEUED_REQUESTS", 1, 65536, &server->max_queued_requests));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "TAI_HTTP_MAX_BODY_BYTES", 1024, 256 << 20, &server->max_body_bytes));
  using std::chrono::milliseconds;
  for (auto [name, out] : {std::pair{"TAI_HTTP_IDLE_TIMEOUT", &server->idle_timeout},
                           std::pair{"TAI_HTTP_REQUEST_TIMEOUT", &server->request_timeout},
                           std::pair{"TAI_HTTP_WRITE_TIMEOUT", &server->write_timeout}}) {
    TAI_RETURN_IF_ERROR(
        ReadDuration(get, name, "s", milliseconds(100), std::chrono::hours(1), out));
  }
  return ReadDuration(get, "TAI_HTTP_SHUTDOWN_TIMEOUT", "s", milliseconds(0),
                      std::chrono::minutes(1), &server->shutdown_timeout);
}

// TAI_DASHBOARD*: see config.h.
Status ReadDashboardEnv(const EnvGet& get, DashboardServerConfig* dashboard) {
  if (auto v = get("TAI_DASHBOARD"); !v.empty()) {
    using Mode = DashboardServerConfig::Mode;
    if (v == "auto") {
      dashboard->mode = Mode::kAuto;
    } else if (v == "on" || v == "off") {
      dashboard->mode = v == "on" ? Mode::kOn : Mode::kOff;
    } else {
      return EnvError("TAI_DASHBOARD", v, InvalidArgumentError("expected auto, on or off"));
    }
  }
  if (auto v = get("TAI_DASHBOARD_TOKEN"); !v.empty()) dashboard->access_token = Trim(v);
  return Status::Ok();
}

}  // namespace

std::function<std::string(std::string_view)> AlertsConfig::NotifierVariables() const {
  return [this](std::string_view name) -> std::string {
    if (name == "TAI_ALERTMANAGER_URL") return alertmanager_url;
    if (name == "TAI_ALERT_WEBHOOK_URL") return webhook_url;
    if (name == "TAI_SLACK_WEBHOOK_URL") return slack_webhook_url;
    if (name == "TAI_PAGERDUTY_ROUTING_KEY") return pagerduty_routing_key;
    if (name == "TAI_PAGERDUTY_URL") return pagerduty_url;
    return "";
  };
}

Result<Config> Config::FromEnv() {
  return FromEnv([](const char* name) -> const char* { return std::getenv(name); });
}

Result<Config> Config::FromEnv(const EnvLookup& getenv) {
  Config c;
  auto get = [&](const char* name) -> std::string_view {
    const char* v = getenv(name);
    return v ? std::string_view(v) : std::string_view();
  };
  if (auto v = get("OTEL_SERVICE_NAME"); !v.empty()) c.resource.service_name = v;
  if (auto v = get("TAI_SERVICE_NAME"); !v.empty()) c.resource.service_name = v;
  if (auto v = get("TAI_SERVICE_VERSION"); !v.empty()) c.resource.service_version = v;
  if (auto v = get("TAI_INSTANCE_ID"); !v.empty()) c.resource.instance_id = v;
  if (auto v = get("GOOGLE_CLOUD_PROJECT"); !v.empty()) c.resource.gcp_project = v;
  if (auto v = get("TAI_ENV"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(c.resource.environment, ParseEnvironment(v),
                                   EnvErrorFor("TAI_ENV", v));
  }
  if (auto v = get("OTEL_RESOURCE_ATTRIBUTES"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(auto pairs, ParseKeyValueList(v),
                                   EnvErrorFor("OTEL_RESOURCE_ATTRIBUTES", v));
    for (auto& [key, value] : pairs) c.resource.attributes.push_back({key, value});
  }
  TAI_RETURN_IF_ERROR(ReadDuration(get, "TAI_METRICS_INTERVAL", "s", std::chrono::milliseconds(10),
                                   std::chrono::hours(1), &c.metrics.collect_interval));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "TAI_METRICS_CARDINALITY_LIMIT", 1, 1'000'000, &c.metrics.cardinality_limit));
  if (auto v = get("TAI_PROMETHEUS_ADDR"); !v.empty()) {
    if (v == "off") {
      c.metrics.prometheus_enabled = false;
    } else {
      std::string host;
      int port;
      Status s = ParseHostPort(v, &host, &port);
      if (!s.ok()) return EnvError("TAI_PROMETHEUS_ADDR", v, s);
      c.metrics.prometheus_address = std::string(v);
    }
  }
  if (auto v = get("TAI_PROMETHEUS_UNITS"); !v.empty()) {
    if (v == "base") {
      c.metrics.prometheus_units = PrometheusUnitStyle::kBaseUnits;
    } else if (v == "keep") {
      c.metrics.prometheus_units = PrometheusUnitStyle::kKeepUnits;
    } else {
      return EnvError("TAI_PROMETHEUS_UNITS", v, InvalidArgumentError("expected base or keep"));
    }
  }
  if (auto v = get("TAI_PROCESS_METRICS"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(c.metrics.process_metrics, ParseBool(v),
                                   EnvErrorFor("TAI_PROCESS_METRICS", v));
  }
  TAI_RETURN_IF_ERROR(ReadServerEnv(get, &c.server));
  TAI_RETURN_IF_ERROR(ReadTracesEnv(get, &c.traces));
  TAI_RETURN_IF_ERROR(ReadGcpEnv(get, &c.gcp));
  TAI_RETURN_IF_ERROR(ReadLogsConfig(get, &c.logs));
  TAI_RETURN_IF_ERROR(ReadStoreEnv(get, &c.store));
  TAI_RETURN_IF_ERROR(ReadAlertsEnv(get, &c.alerts));
  TAI_RETURN_IF_ERROR(ReadDashboardEnv(get, &c.dashboard));
  if (c.resource.instance_id.empty()) c.resource.instance_id = NewSpanId().ToHex();
  TAI_RETURN_IF_ERROR(c.Validate());
  return c;
}

Status Config::Validate() const {
  TAI_RETURN_IF_ERROR(resource.Validate());
  if (metrics.collect_interval < std::chrono::milliseconds(10)) {
    return InvalidArgumentError("metrics: collect interval " +
                                std::to_string(metrics.collect_interval.count()) +
                                " ms is below the 10 ms minimum");
  }
  if (metrics.prometheus_enabled) {
    std::string host;
    int port;
    Status s = ParseHostPort(metrics.prometheus_address, &host, &port);
    if (!s.ok()) return s.WithContext("metrics: prometheus address");
  }
  if (auto levels = ParseLogLevels(logs.logger_levels); !levels.ok()) {
    return levels.status().WithContext("logs: log levels '" + logs.logger_levels + "'");
  }
  TAI_RETURN_IF_ERROR(CheckSizes(*this));
  TAI_RETURN_IF_ERROR(CheckOtlp(traces, logs));
  if (traces.export_interval < std::chrono::milliseconds(10)) {
    return InvalidArgumentError("traces: export interval " +
                                std::to_string(traces.export_interval.count()) +
                                " ms is below the 10 ms minimum");
  }
  if (auto sampler = SamplerFromName(
          traces.sampler.empty() ? "parentbased_traceidratio" : traces.sampler, "", 1.0);
      !sampler.ok()) {
    return sampler.status().WithContext("traces");
  }
  if (traces.sample_ratio > 1 || std::isnan(traces.sample_ratio)) {
    return InvalidArgumentError("traces: sample ratio " + std::to_string(traces.sample_ratio) +
                                " is above 1");
  }
  if (gcp.enabled) {
    if (resource.gcp_project.empty()) {
      return InvalidArgumentError(
          "Google Cloud export is on but no project is set (GOOGLE_CLOUD_PROJECT)");
    }
    TAI_RETURN_IF_ERROR(gcp.endpoints.Validate());
  }
  if (gcp.profiler) {
    if (!gcp.enabled) {
      return InvalidArgumentError(
          "the Cloud Profiler agent is on (TAI_GCP_PROFILER) but Google Cloud export is off "
          "(set TAI_GCP_EXPORT=true)");
    }
    internal::ProfilerDeployment deployment{.project_id = resource.gcp_project,
                                            .target = resource.service_name};
    if (!gcp.zone.empty()) deployment.labels["zone"] = gcp.zone;
    TAI_RETURN_IF_ERROR(deployment.Validate().WithContext("TAI_GCP_PROFILER"));
  }
  if (gcp.alert_policies == GcpExportConfig::AlertPolicies::kSync) {
    if (!gcp.enabled) {
      return InvalidArgumentError(
          "alert policy sync is on (TAI_GCP_ALERT_POLICIES=sync) but Google Cloud export is off "
          "(set TAI_GCP_EXPORT=true)");
    }
    if (alerts.rule_file.empty()) {
      return InvalidArgumentError(
          "alert policy sync is on (TAI_GCP_ALERT_POLICIES=sync) but there is no rule file "
          "(set TAI_ALERT_RULES)");
    }
  }
  if (shutdown_deadline.count() < 0) return InvalidArgumentError("shutdown deadline is negative");
  if (alerts.enabled) {
    TAI_RETURN_IF_ERROR(NotifiersFromEnvironment(alerts.NotifierVariables()).status());
  }
  return Status::Ok();
}

}  // namespace tai

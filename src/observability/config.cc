#include "tai/config.h"

#include <charconv>
#include <cstdlib>
#include <functional>

#include "core/text.h"
#include "gcp/profiler_api.h"
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

Result<std::chrono::milliseconds> ParseMillis(std::string_view text) {
  TAI_ASSIGN_OR_RETURN(auto n, ParsePositiveCount(text));
  return std::chrono::milliseconds(static_cast<int64_t>(n));
}

using EnvGet = std::function<std::string_view(const char*)>;

// The size_t variables of the traces section: name and destination.
Status ReadCount(const EnvGet& get, const char* name, size_t* out) {
  if (auto v = get(name); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(*out, ParsePositiveCount(v), EnvErrorFor(name, v));
  }
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
  const std::pair<const char*, bool*> flags[] = {{"TAI_GCP_EXPORT", &g->enabled},
                                                 {"TAI_GCP_AUTH", &g->authenticate},
                                                 {"TAI_GCP_LOGS_API", &g->logs_api},
                                                 {"TAI_GCP_DETECT_RESOURCE", &g->detect_resource},
                                                 {"TAI_GCP_PROFILER", &g->profiler}};
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
  size_t buffer_mb = g->delivery.memory_bytes >> 20;
  size_t spill_mb = static_cast<size_t>(g->delivery.spill_bytes >> 20);
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_GCP_BUFFER_MB", &buffer_mb));
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_GCP_SPILL_MB", &spill_mb));
  g->delivery.memory_bytes = buffer_mb << 20;
  g->delivery.spill_bytes = static_cast<uint64_t>(spill_mb) << 20;
  if (auto v = get("TAI_GCP_SPILL_DIR"); !v.empty()) {
    g->default_spill_directory = false;
    const std::string dir = Trim(v);
    g->delivery.spill_directory = dir == "none" ? "" : dir;
  }
  return Status::Ok();
}

Status ReadTracesEnv(const EnvGet& get, TracesConfig* t) {
  if (auto v = get("OTEL_TRACES_SAMPLER"); !v.empty()) t->sampler = Trim(v);
  if (auto v = get("OTEL_TRACES_SAMPLER_ARG"); !v.empty()) {
    double ratio = -1;
    std::string text = Trim(v);
    auto r = std::from_chars(text.data(), text.data() + text.size(), ratio);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || ratio < 0 || ratio > 1) {
      return EnvError("OTEL_TRACES_SAMPLER_ARG", v,
                      InvalidArgumentError("expected a ratio between 0 and 1"));
    }
    t->sample_ratio = ratio;
  }
  if (auto v = get("TAI_TRACE_KEEP_ERRORS"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(t->keep_error_traces, ParseBool(v),
                                   EnvErrorFor("TAI_TRACE_KEEP_ERRORS", v));
  }
  TAI_RETURN_IF_ERROR(ReadCount(get, "OTEL_BSP_MAX_QUEUE_SIZE", &t->queue_size));
  TAI_RETURN_IF_ERROR(ReadCount(get, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", &t->max_batch_spans));
  TAI_RETURN_IF_ERROR(ReadCount(get, "TAI_TRACE_BATCH_TRACES", &t->batch_traces));
  TAI_RETURN_IF_ERROR(ReadCount(get, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", &t->limits.max_attributes));
  TAI_RETURN_IF_ERROR(ReadCount(get, "OTEL_SPAN_EVENT_COUNT_LIMIT", &t->limits.max_events));
  TAI_RETURN_IF_ERROR(ReadCount(get, "OTEL_SPAN_LINK_COUNT_LIMIT", &t->limits.max_links));
  TAI_RETURN_IF_ERROR(
      ReadCount(get, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", &t->limits.max_value_length));
  if (auto v = get("OTEL_BSP_SCHEDULE_DELAY"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(t->export_interval, ParseMillis(v),
                                   EnvErrorFor("OTEL_BSP_SCHEDULE_DELAY", v));
  }
  if (auto v = get("OTEL_EXPORTER_OTLP_ENDPOINT"); !v.empty()) {
    t->otlp_endpoint = Trim(v);
    t->otlp_exporter = true;
  }
  if (auto v = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); !v.empty()) {
    t->otlp_traces_url = Trim(v);
    t->otlp_exporter = true;
  }
  for (const char* name : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"}) {
    if (auto v = get(name); !v.empty()) {
      TAI_ASSIGN_OR_RETURN_MAP_ERROR(auto headers, ParseKeyValueList(v), EnvErrorFor(name, v));
      for (auto& h : headers) t->otlp_headers.push_back(std::move(h));
    }
  }
  if (auto v = get("OTEL_EXPORTER_OTLP_COMPRESSION"); !v.empty()) {
    if (v != "gzip" && v != "none") {
      return EnvError("OTEL_EXPORTER_OTLP_COMPRESSION", v,
                      InvalidArgumentError("expected gzip or none"));
    }
    t->otlp_gzip = v == "gzip";
  }
  if (auto v = get("OTEL_EXPORTER_OTLP_TIMEOUT"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(t->otlp_timeout, ParseMillis(v),
                                   EnvErrorFor("OTEL_EXPORTER_OTLP_TIMEOUT", v));
  }
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
  if (auto v = get("TAI_LOG_QUEUE_SIZE"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(logs->queue_capacity, ParsePositiveCount(v),
                                   EnvErrorFor("TAI_LOG_QUEUE_SIZE", v));
  }
  if (auto v = get("TAI_LOG_RATE_LIMIT"); !v.empty()) {
    if (v != "0") {
      auto n = ParsePositiveCount(v);
      if (!n.ok() || *n > UINT32_MAX) {
        return EnvError("TAI_LOG_RATE_LIMIT", v,
                        InvalidArgumentError("not a whole number of records per second"));
      }
      logs->rate_limit_per_site = static_cast<uint32_t>(*n);
    } else {
      logs->rate_limit_per_site = 0;
    }
  }
  if (auto v = get("TAI_LOG_REDACT_KEYS"); !v.empty()) logs->extra_redacted_keys = ParseList(v);
  if (auto v = get("OTEL_EXPORTER_OTLP_ENDPOINT"); !v.empty()) logs->otlp_endpoint = v;
  if (auto v = get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"); !v.empty()) logs->otlp_endpoint = v;
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
  return Status::Ok();
}

}  // namespace

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
  if (auto v = get("TAI_METRICS_INTERVAL"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(c.metrics.collect_interval, ParseDuration(v),
                                   EnvErrorFor("TAI_METRICS_INTERVAL", v));
  }
  if (auto v = get("TAI_METRICS_CARDINALITY_LIMIT"); !v.empty()) {
    TAI_ASSIGN_OR_RETURN_MAP_ERROR(c.metrics.cardinality_limit, ParsePositiveCount(v),
                                   EnvErrorFor("TAI_METRICS_CARDINALITY_LIMIT", v));
  }
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
  TAI_RETURN_IF_ERROR(ReadTracesEnv(get, &c.traces));
  TAI_RETURN_IF_ERROR(ReadGcpEnv(get, &c.gcp));
  TAI_RETURN_IF_ERROR(ReadLogsConfig(get, &c.logs));
  TAI_RETURN_IF_ERROR(ReadStoreEnv(get, &c.store));
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
  if (metrics.cardinality_limit == 0) {
    return InvalidArgumentError("metrics: cardinality limit must be at least 1");
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
  if (traces.queue_size == 0 || traces.batch_traces == 0 || traces.max_batch_spans == 0) {
    return InvalidArgumentError(
        "traces: queue size, batch traces and batch spans must be at least 1");
  }
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
  if (traces.sample_ratio > 1) {
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
  if (logs.queue_capacity == 0)
    return InvalidArgumentError("logs: queue capacity must be at least 1");
  if (shutdown_deadline.count() < 0) return InvalidArgumentError("shutdown deadline is negative");
  return Status::Ok();
}

}  // namespace tai

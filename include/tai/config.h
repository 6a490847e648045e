// Config: everything Observability::Start needs, with production defaults.
// Fill it in code, or read it from the environment with Config::FromEnv():
//
//   TAI_SERVICE_NAME / OTEL_SERVICE_NAME   service name
//   TAI_SERVICE_VERSION                    service version
//   TAI_INSTANCE_ID                        instance id (random when unset)
//   TAI_ENV                                dev | staging | prod
//   GOOGLE_CLOUD_PROJECT                   Google Cloud project id
//   OTEL_RESOURCE_ATTRIBUTES               k1=v1,k2=v2 extra resource attributes
//   TAI_METRICS_INTERVAL                   collection interval: 10s, 500ms, 1m (default 10s)
//   TAI_METRICS_CARDINALITY_LIMIT          series per metric (default 2000)
//   TAI_PROMETHEUS_ADDR                    host:port of /metrics, or "off" (default 127.0.0.1:9464)
//   TAI_PROMETHEUS_UNITS                   base (default) | keep: see docs/metrics.md
//   TAI_LOG_LEVEL                          info (default), or "warn,payments=debug": global
//                                          level, then per-logger levels
//   TAI_LOG_FORMAT                         auto (default: console on a terminal, else json)
//                                          | json | console | off: the stdout log sink
//   TAI_LOG_QUEUE_SIZE                     log records queued before drops (default 8192)
//   TAI_LOG_RATE_LIMIT                     records per second per call site (default 0: none)
//   TAI_LOG_REDACT_KEYS                    k1,k2 field keys to redact besides the defaults
//   OTEL_EXPORTER_OTLP_LOGS_ENDPOINT       OTLP/HTTP logs receiver (else
//   OTEL_EXPORTER_OTLP_ENDPOINT
//                                          + /v1/logs); unset: no OTLP log export
//
// A value type. Not synchronised.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tai/log_level.h"
#include "tai/resource.h"
#include "tai/status.h"

namespace tai {

// How Prometheus names carry units. kBaseUnits converts time and size units
// to seconds and bytes (Prometheus' naming rule, which `promtool check
// metrics` enforces); kKeepUnits names the unit as declared
// (request_latency with unit ms -> request_latency_milliseconds).
enum class PrometheusUnitStyle { kBaseUnits, kKeepUnits };

struct MetricsConfig {
  std::chrono::milliseconds collect_interval{10'000};
  size_t cardinality_limit = 2000;
  bool prometheus_enabled = true;
  std::string prometheus_address = "127.0.0.1:9464";  // port 0 picks a free port
  PrometheusUnitStyle prometheus_units = PrometheusUnitStyle::kBaseUnits;
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

struct Config {
  Resource resource;
  MetricsConfig metrics;
  LogsConfig logs;
  // How long Shutdown() may take to flush everything.
  std::chrono::milliseconds shutdown_deadline{5'000};

  // Reads the variables listed above on top of the defaults. A variable with a
  // bad value is an error that names the variable and the value.
  using EnvLookup = std::function<const char*(const char*)>;
  static Result<Config> FromEnv();
  static Result<Config> FromEnv(const EnvLookup& getenv);

  Status Validate() const;
};

// "10s", "250ms", "1m", "2h", "1.5s"; a bare number is seconds.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "127.0.0.1:9464", "[::1]:80", "localhost:0" -> host and port.
Status ParseHostPort(std::string_view text, std::string* host, int* port);

}  // namespace tai

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
//
// A value type. Not synchronised.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

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

struct Config {
  Resource resource;
  MetricsConfig metrics;
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

#include "tai/config.h"

#include <charconv>
#include <cstdlib>

#include "tai/ids.h"

namespace tai {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

Status EnvError(const char* var, std::string_view value, const Status& why) {
  return InvalidArgumentError(std::string(var) + "='" + std::string(value) + "': " + why.message());
}

// OTEL_RESOURCE_ATTRIBUTES: comma-separated key=value, values percent-decoded.
Status ParseResourceAttributes(std::string_view text, Attributes* out) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
    if (!Trim(item).empty()) {
      size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        return InvalidArgumentError("'" + std::string(item) + "' is not key=value");
      }
      std::string key = Trim(item.substr(0, eq));
      if (key.empty()) return InvalidArgumentError("'" + std::string(item) + "' has an empty key");
      std::string raw = Trim(item.substr(eq + 1));
      std::string value;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
          int v = 0;
          auto r = std::from_chars(raw.data() + i + 1, raw.data() + i + 3, v, 16);
          if (r.ec == std::errc() && r.ptr == raw.data() + i + 3) {
            value += static_cast<char>(v);
            i += 2;
            continue;
          }
        }
        value += raw[i];
      }
      out->push_back({std::move(key), std::move(value)});
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return Status::Ok();
}

Result<size_t> ParsePositiveCount(std::string_view text) {
  size_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v == 0) {
    return InvalidArgumentError("not a positive whole number");
  }
  return v;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string item =
        Trim(text.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

// TAI_LOG_*: see config.h.
template <typename Get>
Status ReadLogsConfig(const Get& get, LogsConfig* logs) {
  if (auto v = get("TAI_LOG_LEVEL"); !v.empty()) {
    // The first item without '=' is the global level; the rest are per logger.
    std::vector<std::string> per_logger;
    for (std::string& item : SplitList(v)) {
      if (item.find('=') == std::string::npos) {
        auto level = ParseLogLevel(item);
        if (!level.ok()) return EnvError("TAI_LOG_LEVEL", v, level.status());
        logs->level = *level;
      } else {
        auto level = ParseLogLevel(item.substr(item.find('=') + 1));
        if (!level.ok()) return EnvError("TAI_LOG_LEVEL", v, level.status());
        per_logger.push_back(std::move(item));
      }
    }
    logs->logger_levels.clear();
    for (const std::string& item : per_logger) {
      if (!logs->logger_levels.empty()) logs->logger_levels += ',';
      logs->logger_levels += item;
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
    auto n = ParsePositiveCount(v);
    if (!n.ok()) return EnvError("TAI_LOG_QUEUE_SIZE", v, n.status());
    logs->queue_capacity = *n;
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
  if (auto v = get("TAI_LOG_REDACT_KEYS"); !v.empty()) logs->extra_redacted_keys = SplitList(v);
  if (auto v = get("OTEL_EXPORTER_OTLP_ENDPOINT"); !v.empty()) logs->otlp_endpoint = v;
  if (auto v = get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"); !v.empty()) logs->otlp_endpoint = v;
  return Status::Ok();
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::string t = Trim(text);
  if (t.empty()) return InvalidArgumentError("duration is empty");
  double number = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), number);
  if (r.ec != std::errc() || number < 0) {
    return InvalidArgumentError("duration '" + t + "' does not start with a non-negative number");
  }
  std::string_view unit(r.ptr, static_cast<size_t>(t.data() + t.size() - r.ptr));
  double ms_per_unit;
  if (unit.empty() || unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "m") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else {
    return InvalidArgumentError("duration '" + t + "' has unit '" + std::string(unit) +
                                "'; use ms, s, m or h");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(number * ms_per_unit + 0.5));
}

Status ParseHostPort(std::string_view text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("address '" + std::string(text) + "' has no :port");
  }
  std::string_view h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return InvalidArgumentError("address '" + std::string(text) + "' has no host");
  std::string_view p = text.substr(colon + 1);
  int v = -1;
  auto r = std::from_chars(p.data(), p.data() + p.size(), v);
  if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() || v < 0 || v > 65535) {
    return InvalidArgumentError("address '" + std::string(text) + "' has port '" + std::string(p) +
                                "'; expected 0-65535");
  }
  *host = std::string(h);
  *port = v;
  return Status::Ok();
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
    auto env = ParseEnvironment(v);
    if (!env.ok()) return EnvError("TAI_ENV", v, env.status());
    c.resource.environment = *env;
  }
  if (auto v = get("OTEL_RESOURCE_ATTRIBUTES"); !v.empty()) {
    Status s = ParseResourceAttributes(v, &c.resource.attributes);
    if (!s.ok()) return EnvError("OTEL_RESOURCE_ATTRIBUTES", v, s);
  }
  if (auto v = get("TAI_METRICS_INTERVAL"); !v.empty()) {
    auto d = ParseDuration(v);
    if (!d.ok()) return EnvError("TAI_METRICS_INTERVAL", v, d.status());
    c.metrics.collect_interval = *d;
  }
  if (auto v = get("TAI_METRICS_CARDINALITY_LIMIT"); !v.empty()) {
    auto n = ParsePositiveCount(v);
    if (!n.ok()) return EnvError("TAI_METRICS_CARDINALITY_LIMIT", v, n.status());
    c.metrics.cardinality_limit = *n;
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
  TAI_RETURN_IF_ERROR(ReadLogsConfig(get, &c.logs));
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
  if (logs.queue_capacity == 0)
    return InvalidArgumentError("logs: queue capacity must be at least 1");
  if (shutdown_deadline.count() < 0) return InvalidArgumentError("shutdown deadline is negative");
  return Status::Ok();
}

}  // namespace tai

#include "tai/config.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace tai {
namespace {

Result<Config> FromMap(std::map<std::string, std::string> env) {
  return Config::FromEnv([env = std::move(env)](const char* name) -> const char* {
    static thread_local std::string value;
    auto it = env.find(name);
    if (it == env.end()) return nullptr;
    value = it->second;
    return value.c_str();
  });
}

TEST(ConfigTest, DefaultsWithEmptyEnvironment) {
  auto c = FromMap({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->resource.service_name, "unknown_service");
  EXPECT_EQ(c->resource.environment, Environment::kDev);
  EXPECT_EQ(c->resource.instance_id.size(), 16u);
  EXPECT_EQ(c->metrics.collect_interval, std::chrono::seconds(10));
  EXPECT_EQ(c->metrics.cardinality_limit, 2000u);
  EXPECT_EQ(c->metrics.prometheus_address, "127.0.0.1:9464");
}

TEST(ConfigTest, ReadsStandardAndTaiVariables) {
  auto c = FromMap({{"OTEL_SERVICE_NAME", "otel-name"},
                    {"TAI_SERVICE_NAME", "payments"},
                    {"TAI_SERVICE_VERSION", "1.4.2"},
                    {"TAI_ENV", "production"},
                    {"GOOGLE_CLOUD_PROJECT", "my-project"},
                    {"OTEL_RESOURCE_ATTRIBUTES", "team=core, region=eu%2Cwest"},
                    {"TAI_METRICS_INTERVAL", "500ms"},
                    {"TAI_METRICS_CARDINALITY_LIMIT", "50"},
                    {"TAI_PROMETHEUS_ADDR", "off"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->resource.service_name, "payments");  // TAI_ wins over OTEL_
  EXPECT_EQ(c->resource.service_version, "1.4.2");
  EXPECT_EQ(c->resource.environment, Environment::kProd);
  EXPECT_EQ(c->resource.gcp_project, "my-project");
  ASSERT_EQ(c->resource.attributes.size(), 2u);
  EXPECT_EQ(c->resource.attributes[1].value.ToString(), "eu,west");
  EXPECT_EQ(c->metrics.collect_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(c->metrics.cardinality_limit, 50u);
  EXPECT_FALSE(c->metrics.prometheus_enabled);
  Attributes attrs = c->resource.ToAttributes();
  EXPECT_EQ(attrs[0].key, "service.name");
  EXPECT_EQ(attrs[0].value.ToString(), "payments");
}

TEST(ConfigTest, ReadsLogVariables) {
  auto defaults = FromMap({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->logs.level, LogLevel::kInfo);
  EXPECT_EQ(defaults->logs.format, LogFormat::kAuto);
  EXPECT_EQ(defaults->logs.queue_capacity, 8192u);
  auto c = FromMap({{"TAI_LOG_LEVEL", "payments=debug, warn ,db=error"},
                    {"TAI_LOG_FORMAT", "json"},
                    {"TAI_LOG_QUEUE_SIZE", "1024"},
                    {"TAI_LOG_RATE_LIMIT", "20"},
                    {"TAI_LOG_REDACT_KEYS", "ssn, card_number"},
                    {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->logs.level, LogLevel::kWarn);
  EXPECT_EQ(c->logs.logger_levels, "payments=debug,db=error");
  EXPECT_EQ(c->logs.format, LogFormat::kJson);
  EXPECT_EQ(c->logs.queue_capacity, 1024u);
  EXPECT_EQ(c->logs.rate_limit_per_site, 20u);
  EXPECT_EQ(c->logs.extra_redacted_keys, (std::vector<std::string>{"ssn", "card_number"}));
  EXPECT_EQ(c->logs.otlp_endpoint, "http://collector:4318");
  EXPECT_EQ(FromMap({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318"},
                     {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://b:4318/v1/logs"}})
                ->logs.otlp_endpoint,
            "http://b:4318/v1/logs");
  EXPECT_EQ(FromMap({{"TAI_LOG_LEVEL", "loud"}}).status().message(),
            "TAI_LOG_LEVEL='loud': log level 'loud' is not one of trace, debug, info, warn, "
            "error, fatal, off");
  EXPECT_FALSE(FromMap({{"TAI_LOG_LEVEL", "a=loud"}}).ok());
  EXPECT_EQ(FromMap({{"TAI_LOG_LEVEL", "=debug"}}).status().message(),
            "TAI_LOG_LEVEL='=debug': '=debug' has no logger name");
  EXPECT_FALSE(FromMap({{"TAI_LOG_FORMAT", "xml"}}).ok());
  EXPECT_FALSE(FromMap({{"TAI_LOG_QUEUE_SIZE", "0"}}).ok());
}

TEST(ConfigTest, BadValuesNameTheVariable) {
  auto env = FromMap({{"TAI_ENV", "qa"}});
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(),
            "TAI_ENV='qa': environment 'qa' is not one of dev, staging, prod");
  auto interval = FromMap({{"TAI_METRICS_INTERVAL", "10 parsecs"}});
  ASSERT_FALSE(interval.ok());
  EXPECT_NE(interval.status().message().find("TAI_METRICS_INTERVAL='10 parsecs'"),
            std::string::npos);
  auto limit = FromMap({{"TAI_METRICS_CARDINALITY_LIMIT", "-3"}});
  ASSERT_FALSE(limit.ok());
  EXPECT_EQ(limit.status().message(),
            "TAI_METRICS_CARDINALITY_LIMIT='-3': expected a whole number from 1 to 1000000");
  auto addr = FromMap({{"TAI_PROMETHEUS_ADDR", "localhost:99999"}});
  ASSERT_FALSE(addr.ok());
  EXPECT_NE(addr.status().message().find("expected 0-65535"), std::string::npos);
  auto attrs = FromMap({{"OTEL_RESOURCE_ATTRIBUTES", "novalue"}});
  ASSERT_FALSE(attrs.ok());
  EXPECT_NE(attrs.status().message().find("is not key=value"), std::string::npos);
  auto tiny = FromMap({{"TAI_METRICS_INTERVAL", "1ms"}});
  ASSERT_FALSE(tiny.ok());
  EXPECT_EQ(tiny.status().message(),
            "TAI_METRICS_INTERVAL='1ms': expected a duration from 10 ms to 3600000 ms");
}

TEST(ConfigTest, TracesFromOpenTelemetryVariables) {
  auto d = FromMap({});
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->traces.sampler.empty());
  EXPECT_LT(d->traces.sample_ratio, 0);  // the environment decides
  EXPECT_TRUE(d->traces.keep_error_traces);
  EXPECT_EQ(d->traces.queue_size, 2048u);
  EXPECT_EQ(d->traces.batch_traces, 100u);
  EXPECT_EQ(d->traces.export_interval, std::chrono::seconds(30));
  EXPECT_FALSE(d->traces.otlp_exporter);

  auto c = FromMap({{"OTEL_TRACES_SAMPLER", "traceidratio"},
                    {"OTEL_TRACES_SAMPLER_ARG", "0.25"},
                    {"TAI_TRACE_KEEP_ERRORS", "false"},
                    {"OTEL_BSP_MAX_QUEUE_SIZE", "4096"},
                    {"OTEL_BSP_SCHEDULE_DELAY", "5000"},
                    {"TAI_TRACE_BATCH_TRACES", "10"},
                    {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "16"},
                    {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "256"},
                    {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"},
                    {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b, tenant=t1"},
                    {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
                    {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->traces.sampler, "traceidratio");
  EXPECT_EQ(c->traces.sample_ratio, 0.25);
  EXPECT_FALSE(c->traces.keep_error_traces);
  EXPECT_EQ(c->traces.queue_size, 4096u);
  EXPECT_EQ(c->traces.export_interval, std::chrono::seconds(5));
  EXPECT_EQ(c->traces.batch_traces, 10u);
  EXPECT_EQ(c->traces.limits.max_attributes, 16u);
  EXPECT_EQ(c->traces.limits.max_value_length, 256u);
  EXPECT_TRUE(c->traces.otlp_exporter);
  EXPECT_EQ(c->traces.otlp_endpoint, "http://collector:4318");
  ASSERT_EQ(c->traces.otlp_headers.size(), 2u);
  EXPECT_EQ(c->traces.otlp_headers[0], std::make_pair(std::string("api-key"), std::string("a b")));
  EXPECT_TRUE(c->traces.otlp_gzip);
  EXPECT_EQ(c->traces.otlp_timeout, std::chrono::milliseconds(2500));

  auto console = FromMap({{"OTEL_TRACES_EXPORTER", "console"},
                          {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}});
  ASSERT_TRUE(console.ok());
  EXPECT_TRUE(console->traces.stdout_exporter);
  EXPECT_FALSE(console->traces.otlp_exporter);  // the explicit list wins
}

TEST(ConfigTest, BadTraceValuesNameTheVariable) {
  for (const auto& [var, value] : std::vector<std::pair<std::string, std::string>>{
           {"OTEL_TRACES_SAMPLER", "sometimes"},
           {"OTEL_TRACES_SAMPLER_ARG", "2"},
           {"TAI_TRACE_KEEP_ERRORS", "maybe"},
           {"OTEL_BSP_MAX_QUEUE_SIZE", "0"},
           {"OTEL_TRACES_EXPORTER", "zipkin"},
           {"OTEL_EXPORTER_OTLP_COMPRESSION", "br"},
           {"OTEL_EXPORTER_OTLP_HEADERS", "novalue"}}) {
    auto c = FromMap({{var, value}});
    ASSERT_FALSE(c.ok()) << var;
    const std::string& m = c.status().message();
    EXPECT_TRUE(m.find(var) != std::string::npos || m.find(value) != std::string::npos) << m;
  }
}

TEST(ConfigTest, GoogleCloudExportFromTheEnvironment) {
  auto c = FromMap({{"TAI_GCP_EXPORT", "true"},
                    {"GOOGLE_CLOUD_PROJECT", "my-project"},
                    {"TAI_GCP_TRACE_ENDPOINT", "http://127.0.0.1:8085"},
                    {"TAI_GCP_AUTH", "false"},
                    {"TAI_GCP_LOGS_API", "yes"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->gcp.enabled);
  EXPECT_FALSE(c->gcp.authenticate);
  EXPECT_TRUE(c->gcp.logs_api);
  EXPECT_FALSE(c->gcp.self_metrics);  // billable there: only when asked for
  EXPECT_EQ(c->gcp.endpoints.trace, "http://127.0.0.1:8085");
  EXPECT_EQ(c->gcp.endpoints.monitoring, "https://monitoring.googleapis.com");
  EXPECT_TRUE(c->gcp.default_spill_directory);
  EXPECT_EQ(c->gcp.delivery.memory_bytes, 8u << 20);
}

TEST(ConfigTest, SelfMetricsGoToGoogleCloudWhenAsked) {
  auto c = FromMap({{"TAI_GCP_SELF_METRICS", "true"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->gcp.self_metrics);
  EXPECT_FALSE(FromMap({{"TAI_GCP_SELF_METRICS", "sometimes"}}).ok());
}

TEST(ConfigTest, GoogleCloudOutageBuffers) {
  auto c = FromMap({{"TAI_GCP_BUFFER_MB", "16"},
                    {"TAI_GCP_SPILL_MB", "1024"},
                    {"TAI_GCP_SPILL_DIR", "/var/spool/shop"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->gcp.delivery.memory_bytes, 16u << 20);
  EXPECT_EQ(c->gcp.delivery.spill_bytes, 1024ull << 20);
  EXPECT_EQ(c->gcp.delivery.spill_directory, "/var/spool/shop");
  EXPECT_FALSE(c->gcp.default_spill_directory);
  auto memory_only = FromMap({{"TAI_GCP_SPILL_DIR", "none"}});
  ASSERT_TRUE(memory_only.ok());
  EXPECT_EQ(memory_only->gcp.delivery.spill_directory, "");
  EXPECT_FALSE(memory_only->gcp.default_spill_directory);
  auto bad = FromMap({{"TAI_GCP_SPILL_MB", "lots"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("TAI_GCP_SPILL_MB='lots'"), std::string::npos);
}

TEST(ConfigTest, BadGoogleCloudSettingsAreClearErrors) {
  auto no_project = FromMap({{"TAI_GCP_EXPORT", "true"}});
  ASSERT_FALSE(no_project.ok());
  EXPECT_NE(no_project.status().message().find("GOOGLE_CLOUD_PROJECT"), std::string::npos);
  auto bad_flag = FromMap({{"TAI_GCP_EXPORT", "maybe"}});
  ASSERT_FALSE(bad_flag.ok());
  EXPECT_NE(bad_flag.status().message().find("TAI_GCP_EXPORT='maybe'"), std::string::npos);
  auto plain_http = FromMap({{"TAI_GCP_EXPORT", "true"},
                             {"GOOGLE_CLOUD_PROJECT", "p"},
                             {"TAI_GCP_TRACE_ENDPOINT", "http://trace.example.com"}});
  ASSERT_FALSE(plain_http.ok());
  EXPECT_NE(plain_http.status().message().find("https"), std::string::npos);
}

TEST(ConfigTest, CloudProfilerAgentFromTheEnvironment) {
  auto off = FromMap({{"TAI_GCP_EXPORT", "true"}, {"GOOGLE_CLOUD_PROJECT", "my-project"}});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->gcp.profiler);  // opt-in
  auto c = FromMap({{"TAI_GCP_EXPORT", "true"},
                    {"TAI_GCP_PROFILER", "true"},
                    {"TAI_GCP_ZONE", "us-central1-a"},
                    {"TAI_SERVICE_NAME", "checkout"},
                    {"GOOGLE_CLOUD_PROJECT", "my-project"},
                    {"TAI_GCP_PROFILER_ENDPOINT", "http://127.0.0.1:8086"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->gcp.profiler);
  EXPECT_EQ(c->gcp.zone, "us-central1-a");
  EXPECT_EQ(c->gcp.endpoints.profiler, "http://127.0.0.1:8086");
}

TEST(ConfigTest, BadCloudProfilerSettingsAreClearErrors) {
  auto bad_flag = FromMap({{"TAI_GCP_PROFILER", "sometimes"}});
  ASSERT_FALSE(bad_flag.ok());
  EXPECT_NE(bad_flag.status().message().find("TAI_GCP_PROFILER='sometimes'"), std::string::npos);
  auto no_export = FromMap({{"TAI_GCP_PROFILER", "true"}, {"GOOGLE_CLOUD_PROJECT", "my-project"}});
  ASSERT_FALSE(no_export.ok());
  EXPECT_NE(no_export.status().message().find("TAI_GCP_EXPORT"), std::string::npos)
      << no_export.status().message();
  const std::map<std::string, std::string> on = {{"TAI_GCP_EXPORT", "true"},
                                                 {"TAI_GCP_PROFILER", "true"},
                                                 {"GOOGLE_CLOUD_PROJECT", "my-project"}};
  auto with = [&](std::string var, std::string value) {
    auto vars = on;
    vars[var] = value;
    return FromMap(vars).status().message();
  };
  EXPECT_NE(with("TAI_SERVICE_NAME", "Checkout Service").find("target"), std::string::npos);
  EXPECT_NE(with("GOOGLE_CLOUD_PROJECT", "P").find("project id 'P'"), std::string::npos);
  EXPECT_NE(with("TAI_GCP_ZONE", std::string(600, 'z')).find("512"), std::string::npos);
  EXPECT_NE(with("TAI_GCP_PROFILER_ENDPOINT", "http://profiler.example.com").find("https"),
            std::string::npos);
}

}  // namespace
}  // namespace tai

namespace tai {
namespace {

TEST(ConfigTest, StoreFromTheEnvironment) {
  auto defaults = FromMap({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->store.enabled);
  EXPECT_EQ(defaults->store.options.path, "");
  EXPECT_EQ(defaults->store.options.retention.archive_directory, "");
  auto off = FromMap({{"TAI_STORE", "off"},
                      {"TAI_STORE_PATH", " /var/lib/svc.db "},
                      {"TAI_STORE_ARCHIVE_DIR", "/var/archive/svc "}});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->store.enabled);
  EXPECT_EQ(off->store.options.path, "/var/lib/svc.db");
  EXPECT_EQ(off->store.options.retention.archive_directory, "/var/archive/svc");
  auto bad = FromMap({{"TAI_STORE", "sometimes"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("TAI_STORE='sometimes'"), std::string::npos);
}

// Values that used to abort, spin, reserve gigabytes, wrap to 0 or inject
// header lines: each is refused, naming the variable, its value and what
// was expected.
TEST(ConfigTest, ValuesOutsideTheirRangeAreRefusedNamingTheVariable) {
  struct Case {
    const char* var;
    const char* value;
    const char* says;
  };
  const Case cases[] = {
      {"OTEL_BSP_MAX_QUEUE_SIZE", "9223372036854775807", "a whole number from 1 to 1000000"},
      {"OTEL_BSP_MAX_QUEUE_SIZE", "18446744073709551615", "a whole number from 1 to 1000000"},
      {"OTEL_BSP_MAX_QUEUE_SIZE", "100000000", "a whole number from 1 to 1000000"},
      {"OTEL_BSP_MAX_QUEUE_SIZE", "0", "a whole number from 1 to 1000000"},
      {"TAI_LOG_QUEUE_SIZE", "9223372036854775807", "a whole number from 2 to 1048576"},
      {"TAI_LOG_QUEUE_SIZE", "100000000", "a whole number from 2 to 1048576"},
      {"TAI_LOG_RATE_LIMIT", "4294967296", "a whole number from 0 to 1000000"},
      {"TAI_METRICS_CARDINALITY_LIMIT", "-1", "a whole number from 1 to 1000000"},
      {"OTEL_BSP_SCHEDULE_DELAY", "9223372036854775807", "longer than 1000 years"},
      {"OTEL_BSP_SCHEDULE_DELAY", "86400000", "a duration from 10 ms to 3600000 ms"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "0", "a duration from 1 ms to 600000 ms"},
      {"TAI_METRICS_INTERVAL", "9223372036854775807s", "longer than 1000 years"},
      {"TAI_METRICS_INTERVAL", "2h", "a duration from 10 ms to 3600000 ms"},
      {"TAI_GCP_BUFFER_MB", "17592186044416", "a whole number from 1 to 4096"},
      {"TAI_GCP_SPILL_MB", "17592186044416", "a whole number from 1 to 1048576"},
      {"OTEL_TRACES_SAMPLER_ARG", "nan", "expected a ratio between 0 and 1"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "a=b%0d%0aX-Injected: 1", "control character"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "bad name=1", "may not hold"},
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector:4318", "must start with http"},
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "must start with http"},
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:99999", "expected 1-65535"},
      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http:///v1/traces", "has no host"},
      {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "https://:4318/v1/logs", "has no host"},
  };
  for (const Case& c : cases) {
    auto config = FromMap({{c.var, c.value}});
    ASSERT_FALSE(config.ok()) << c.var << "=" << c.value;
    const std::string& message = config.status().message();
    EXPECT_EQ(message.rfind(std::string(c.var) + "='" + c.value + "': ", 0), 0u) << message;
    EXPECT_NE(message.find(c.says), std::string::npos) << message;
  }
  // The ends of each range are accepted.
  auto edges = FromMap({{"OTEL_BSP_MAX_QUEUE_SIZE", "1000000"},
                        {"TAI_LOG_QUEUE_SIZE", "2"},
                        {"OTEL_BSP_SCHEDULE_DELAY", "3600000"},
                        {"TAI_METRICS_INTERVAL", "1h"},
                        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1]:4318"},
                        {"TAI_GCP_SPILL_DIR", "NONE"}});
  ASSERT_TRUE(edges.ok()) << edges.status().ToString();
  EXPECT_EQ(edges->traces.queue_size, 1'000'000u);
  EXPECT_EQ(edges->gcp.delivery.spill_directory, "");  // "none" in any case: memory only
}

TEST(ConfigTest, TheEmbeddedServersLimitsFromTheEnvironment) {
  auto defaults = FromMap({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->server.max_connections, HttpServerOptions{}.max_connections);
  auto set = FromMap({{"TAI_HTTP_WORKERS", "2"},
                      {"TAI_HTTP_MAX_CONNECTIONS", "1000"},
                      {"TAI_HTTP_MAX_CONNECTIONS_PER_PEER", "10"},
                      {"TAI_HTTP_MAX_QUEUED_REQUESTS", "16"},
                      {"TAI_HTTP_MAX_BODY_BYTES", "65536"},
                      {"TAI_HTTP_IDLE_TIMEOUT", "30"},
                      {"TAI_HTTP_REQUEST_TIMEOUT", "2500ms"},
                      {"TAI_HTTP_WRITE_TIMEOUT", "1m"},
                      {"TAI_HTTP_SHUTDOWN_TIMEOUT", "0"}});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->server.worker_threads, 2u);
  EXPECT_EQ(set->server.max_connections, 1000u);
  EXPECT_EQ(set->server.max_connections_per_peer, 10u);
  EXPECT_EQ(set->server.max_queued_requests, 16u);
  EXPECT_EQ(set->server.max_body_bytes, 65536u);
  EXPECT_EQ(set->server.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(set->server.request_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(set->server.write_timeout, std::chrono::minutes(1));
  EXPECT_EQ(set->server.shutdown_timeout, std::chrono::milliseconds(0));

  const std::pair<const char*, const char*> bad[] = {
      {"TAI_HTTP_WORKERS", "0"},
      {"TAI_HTTP_WORKERS", "1000"},
      {"TAI_HTTP_MAX_CONNECTIONS", "18446744073709551615"},
      {"TAI_HTTP_MAX_BODY_BYTES", "1"},
      {"TAI_HTTP_IDLE_TIMEOUT", "10ms"},
      {"TAI_HTTP_REQUEST_TIMEOUT", "2h"},
      {"TAI_HTTP_SHUTDOWN_TIMEOUT", "soon"},
  };
  for (auto [var, value] : bad) {
    auto config = FromMap({{var, value}});
    ASSERT_FALSE(config.ok()) << var << "=" << value;
    EXPECT_EQ(config.status().message().rfind(std::string(var) + "='" + value + "': ", 0), 0u)
        << config.status().message();
  }
}

// The same ranges hold for a Config filled in code.
TEST(ConfigTest, ValidateBoundsSizesSetInCode) {
  Config c;
  c.resource.service_name = "svc";
  c.traces.queue_size = 100'000'000;
  EXPECT_EQ(c.Validate().message(), "traces: queue size 100000000 is outside 1-1000000");
  c.traces.queue_size = 2048;
  c.server.worker_threads = 0;
  EXPECT_EQ(c.Validate().message(), "server: worker threads 0 is outside 1-64");
  c.server.worker_threads = 4;
  c.traces.otlp_exporter = true;
  c.traces.otlp_endpoint = "collector:4318";
  EXPECT_EQ(c.Validate().message(),
            "traces: OTLP endpoint: URL 'collector:4318' must start with http:// or https://");
  c.traces.otlp_endpoint = "http://collector:4318";
  c.traces.otlp_headers = {{"x-token", "a\r\nb"}};
  EXPECT_NE(c.Validate().message().find("control character"), std::string::npos);
}

TEST(ConfigTest, ReadsAlertingVariablesAndNeverRepeatsASecret) {
  auto c = FromMap({{"TAI_ALERT_RULES", " /etc/svc/rules.yaml "},
                    {"TAI_ALERTMANAGER_URL", "http://127.0.0.1:9093"},
                    {"TAI_SLACK_WEBHOOK_URL", "https://hooks.example/services/T0/B0/s3cr3t"},
                    {"TAI_ALERT_NOTIFY", "changes"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->alerts.enabled);
  EXPECT_EQ(c->alerts.rule_file, "/etc/svc/rules.yaml");
  EXPECT_EQ(c->alerts.alertmanager_url, "http://127.0.0.1:9093");
  EXPECT_TRUE(c->alerts.notify_only_new_firing);
  EXPECT_FALSE(FromMap({{"TAI_ALERTS", "off"}})->alerts.enabled);
  EXPECT_EQ(FromMap({{"TAI_ALERT_NOTIFY", "some"}}).status().message(),
            "TAI_ALERT_NOTIFY='some': expected all or changes");
  auto bad = FromMap({{"TAI_SLACK_WEBHOOK_URL", "ftp://hooks.example/s3cr3t"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("TAI_SLACK_WEBHOOK_URL"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("s3cr3t"), std::string::npos) << bad.status().message();
  EXPECT_EQ(FromMap({{"TAI_PAGERDUTY_URL", "http://127.0.0.1:1/v2/enqueue"}}).status().message(),
            "TAI_PAGERDUTY_URL is set but TAI_PAGERDUTY_ROUTING_KEY is not");
}

}  // namespace
}  // namespace tai

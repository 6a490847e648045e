#include "tai/observability.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "alert/notifiers/receiver_testing.h"
#include "core/temp_dir_testing.h"
#include "export/http/http_client.h"
#include "tai/core/clock.h"
#include "tai/store/deploy_record.h"

namespace tai {
namespace {

Config TestConfig() {
  Config c;
  c.resource.service_name = "test-service";
  c.metrics.prometheus_address = "127.0.0.1:0";
  c.metrics.collect_interval = std::chrono::hours(1);
  // Tests run side by side under ctest; the one store test below gives its
  // store a file of its own.
  c.store.enabled = false;
  return c;
}

// Alerting over a store in `dir` with rules.yaml there, collecting every
// 100 ms, notifying the webhook at `hook`.
Config AlertingConfig(const std::string& dir, const std::string& hook) {
  Config c = TestConfig();
  c.metrics.collect_interval = std::chrono::milliseconds(100);
  c.store.enabled = true;
  c.store.options.path = dir + "/svc.db";
  c.store.options.commit_interval = std::chrono::milliseconds(20);
  c.alerts.rule_file = dir + "/rules.yaml";
  c.alerts.webhook_url = hook;
  return c;
}

TEST(ObservabilityTest, ServesMetricsAndFlushesOnShutdown) {
  auto obs = Observability::Start(TestConfig());
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto sink = std::make_shared<InMemoryMetricSink>();
  (*obs)->AddMetricSink(sink);
  auto c = (*obs)->metrics().CreateCounter({.metric_type = "app/requests"}).value();
  c.Add(42);

  internal::HttpClient client;
  auto r = client.Send({.method = "GET", .url = (*obs)->metrics_url()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("app_requests_total 42"), std::string::npos);

  c.Add(1);
  (*obs)->Shutdown();  // the collect interval is an hour: only shutdown exports
  ASSERT_NE(sink->last(), nullptr);
  bool found = false;
  for (const auto& m : sink->last()->metrics) {
    if (m.descriptor->metric_type == "app/requests") {
      found = true;
      EXPECT_EQ(m.points[0].value.int64(), 43);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(sink->last()->resource->service_name, "test-service");
  EXPECT_TRUE((*obs)->metric_store()->Latest("app/requests").has_value());
}

TEST(ObservabilityTest, TracesFlowToSinksAndShutdownLosesNone) {
  Config config = TestConfig();
  config.resource.environment = Environment::kProd;  // 1% sampling unless told otherwise
  config.traces.sampler = "always_on";
  auto obs = Observability::Start(config);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto sink = std::make_shared<InMemorySpanSink>();
  (*obs)->AddSpanSink(sink);
  EXPECT_EQ(&GlobalTracer(), &(*obs)->tracer());
  for (int i = 0; i < 250; ++i) {
    Span root = (*obs)->tracer().StartSpan("request");
    SpanScope scope(root);
    Span child = GlobalTracer().StartSpan("child");
  }
  internal::HttpClient client;
  auto r = client.Send({.method = "GET", .url = (*obs)->metrics_url()});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find("tai_spans_enqueued_total 500"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("tai_span_queue_depth"), std::string::npos);
  (*obs)->Shutdown();
  EXPECT_EQ(sink->exported(), 500u);
  EXPECT_EQ((*obs)->recent_spans()->exported(), 500u);
  EXPECT_EQ(sink->spans()[0].context.trace_id, sink->spans()[1].context.trace_id);
  EXPECT_NE(&GlobalTracer(), &(*obs)->tracer());  // uninstalled at shutdown
}

TEST(ObservabilityTest, ProdSamplesAboutOnePercent) {
  Config config = TestConfig();
  config.resource.environment = Environment::kProd;
  auto obs = Observability::Start(config);
  ASSERT_TRUE(obs.ok());
  int sampled = 0;
  for (int i = 0; i < 100'000; ++i) {
    sampled += (*obs)->tracer().StartSpan("r", {.root = true}).context().sampled();
  }
  // A wiring check (1%, not 10% or 100%) on fresh ids: 5 sigma, so it
  // cannot fail by chance in practice.
  EXPECT_NEAR(sampled, 1000, 5 * std::sqrt(100'000 * 0.01 * 0.99));
}

TEST(ObservabilityTest, BadSamplerIsAClearError) {
  Config config = TestConfig();
  config.traces.sampler = "sometimes";
  auto obs = Observability::Start(config);
  ASSERT_FALSE(obs.ok());
  EXPECT_NE(obs.status().message().find("'sometimes'"), std::string::npos);
}

TEST(ObservabilityTest, StartFailsWithAClearError) {
  Config bad = TestConfig();
  bad.resource.service_name = "";
  EXPECT_EQ(Observability::Start(bad).status().message(), "resource: service name is empty");
  auto first = Observability::Start(TestConfig());
  ASSERT_TRUE(first.ok());
  Config clash = TestConfig();
  clash.metrics.prometheus_address = "127.0.0.1:" + std::to_string((*first)->http_server()->port());
  auto second = Observability::Start(clash);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

// A level spec the log pipeline would refuse is refused by Start before
// anything runs (it used to pass Validate, fail in the pipeline, and crash
// the cleanup of the half-made instance).
TEST(ObservabilityTest, ABadLevelSpecIsAnErrorNotACrash) {
  Config c = TestConfig();
  c.logs.logger_levels = "=debug";
  auto obs = Observability::Start(c);
  ASSERT_FALSE(obs.ok());
  EXPECT_EQ(obs.status().message(), "logs: log levels '=debug': '=debug' has no logger name");
}

TEST(ObservabilityTest, LogsGoThroughThePipelineAndAreFlushedOnShutdown) {
  Config c = TestConfig();
  c.logs.format = LogFormat::kOff;  // no stdout sink; the test adds its own
  c.logs.level = LogLevel::kWarn;
  c.logs.logger_levels = "chatty=debug";
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto sink = std::make_shared<InMemoryLogSink>();
  (*obs)->logs().AddSink(sink);
  TAI_LOG_INFO((*obs)->logger("quiet"), "dropped: below WARN");
  TAI_LOG_DEBUG((*obs)->logger("chatty"), "kept: chatty logs at DEBUG");
  TAI_LOG_WARN((*obs)->logger(), {{"token", "abc"}}, "kept");
  ASSERT_TRUE((*obs)->logs().Flush(std::chrono::seconds(5)).ok());
  {
    // Closed before Shutdown: the server waits for open keep-alive connections.
    internal::HttpClient client;
    auto r = client.Send({.method = "GET", .url = (*obs)->metrics_url()});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_NE(r->body.find("tai_log_records_total{outcome=\"exported\"} 2"), std::string::npos)
        << r->body;
  }
  (*obs)->Shutdown();
  auto records = sink->records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].logger_name, "chatty");
  LogValue token;
  ASSERT_TRUE(records[1].FindField("token", &token));
  EXPECT_EQ(token.string_value(), "[REDACTED]");
}

TEST(ObservabilityTest, LogsMadeInsideASpanCarryItsIds) {
  Config c = TestConfig();
  c.logs.format = LogFormat::kOff;
  c.traces.sampler = "always_on";
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  // Start's own statement (environment, sampling) goes out before our sink.
  ASSERT_TRUE((*obs)->logs().Flush(std::chrono::seconds(5)).ok());
  auto logs = std::make_shared<InMemoryLogSink>();
  (*obs)->logs().AddSink(logs);
  SpanContext context;
  {
    Span span = (*obs)->tracer().StartSpan("handle request");
    SpanScope scope(span);
    context = span.context();
    TAI_LOG_WARN((*obs)->logger(), "inside");
  }
  TAI_LOG_WARN((*obs)->logger(), "outside");
  (*obs)->Shutdown();
  auto records = logs->records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].trace_id, context.trace_id);
  EXPECT_EQ(records[0].span_id, context.span_id);
  EXPECT_TRUE(records[0].trace_sampled());
  EXPECT_FALSE(records[1].has_trace());
}

TEST(ObservabilityTest, LogLevelsChangeOverHttpWhileRunning) {
  Config c = TestConfig();
  c.logs.format = LogFormat::kOff;
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  ASSERT_TRUE((*obs)->logs().Flush(std::chrono::seconds(5)).ok());  // Start's own statement
  auto sink = std::make_shared<InMemoryLogSink>();
  (*obs)->logs().AddSink(sink);
  Logger& payments = (*obs)->logger("payments");
  TAI_LOG_DEBUG(payments, "dropped: INFO by default");
  std::string url = (*obs)->http_server()->url() + "/api/log/levels";
  {
    internal::HttpClient client;
    auto get = client.Send({.method = "GET", .url = url});
    ASSERT_TRUE(get.ok()) << get.status().ToString();
    EXPECT_EQ(get->body, "info\n");
    auto put = client.Send({.method = "PUT", .url = url, .body = "warn,payments=debug"});
    ASSERT_TRUE(put.ok());
    EXPECT_EQ(put->status, 200);
    EXPECT_EQ(put->body, "warn,payments=debug\n");
    auto bad = client.Send({.method = "PUT", .url = url, .body = "payments=chatty"});
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 400);
    EXPECT_NE(bad->body.find("'chatty'"), std::string::npos) << bad->body;
  }
  TAI_LOG_DEBUG(payments, "kept: payments is at DEBUG now");
  TAI_LOG_INFO((*obs)->logger("other"), "dropped: the global level is WARN");
  ASSERT_TRUE((*obs)->logs().Flush(std::chrono::seconds(5)).ok());
  auto records = sink->records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message, "kept: payments is at DEBUG now");
}

// Config::server reaches the embedded server: a body over the configured
// limit is refused there (413) before any handler sees it.
TEST(ObservabilityTest, TheServersLimitsComeFromTheConfig) {
  Config c = TestConfig();
  c.logs.format = LogFormat::kOff;
  c.server.max_body_bytes = 1024;
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  const std::string url = (*obs)->http_server()->url() + "/api/log/levels";
  internal::HttpClient client;
  auto small = client.Send({.method = "PUT", .url = url, .body = "warn"});
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->status, 200);
  auto large = client.Send({.method = "PUT", .url = url, .body = std::string(2048, 'w')});
  ASSERT_TRUE(large.ok()) << large.status().ToString();
  EXPECT_EQ(large->status, 413);
  EXPECT_EQ((*obs)->http_server()->stats().rejected_too_large, 1u);
}

TEST(ObservabilityTest, TheEmbeddedStoreGetsEverySignal) {
  testing::TempDir dir;
  Config c = TestConfig();
  c.store.enabled = true;
  c.store.options.path = dir.path() + "/svc.db";
  c.resource.service_version = "1.4.2";
  c.logs.format = LogFormat::kOff;
  c.traces.sampler = "always_on";
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  ASSERT_NE((*obs)->store(), nullptr);
  auto counter = (*obs)->metrics().CreateCounter({.metric_type = "app/requests"});
  ASSERT_TRUE(counter.ok());
  counter->Add(3);
  { auto span = (*obs)->tracer().StartSpan("handle"); }
  TAI_LOG_WARN((*obs)->logger("app"), "stored warning {}", 7);
  std::shared_ptr<Store> store = (*obs)->store();
  (*obs)->Shutdown();
  ASSERT_TRUE(store->Flush(std::chrono::seconds(10)).ok());
  auto latest = store->Latest("app/requests");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].value, 3);
  auto spans = store->SearchSpans({.name = "handle"});
  ASSERT_TRUE(spans.ok());
  EXPECT_EQ(spans->size(), 1u);
  auto logs = store->SearchLogs({.text = "warning"});
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].message, "stored warning 7");
  EXPECT_EQ((*logs)[0].service, "test-service");
  // Start said once which environment and sampling ratio are in effect.
  auto said = store->SearchLogs({.text = "traces sampled at"});
  ASSERT_TRUE(said.ok());
  ASSERT_EQ(said->size(), 1u);
  EXPECT_NE((*said)[0].message.find("environment dev: traces sampled at 100% (always_on"),
            std::string::npos)
      << (*said)[0].message;
  // The start is a deploy of its version (the dashboard's annotations).
  auto deploys = SearchDeploys(*store, 0, INT64_MAX, 10);
  ASSERT_TRUE(deploys.ok()) << deploys.status().ToString();
  ASSERT_EQ(deploys->size(), 1u);
  EXPECT_EQ((*deploys)[0].service, "test-service");
  EXPECT_EQ((*deploys)[0].version, "1.4.2");
  EXPECT_FALSE((*deploys)[0].instance_id.empty());
}

TEST(ObservabilityTest, AStoreHeldByAnotherWriterIsReportedAndTheServiceRunsOn) {
  testing::TempDir dir;
  Config c = TestConfig();
  c.store.enabled = true;
  c.store.options.path = dir.path() + "/svc.db";
  auto first = Observability::Start(c);
  ASSERT_TRUE(first.ok());
  auto second = Observability::Start(c);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)->store(), nullptr);
  EXPECT_NE((*second)->store_status().message().find("already open for writing"),
            std::string::npos);
}

TEST(ObservabilityTest, PrometheusCanBeTurnedOff) {
  Config c = TestConfig();
  c.metrics.prometheus_enabled = false;
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok());
  EXPECT_EQ((*obs)->http_server(), nullptr);
  EXPECT_EQ((*obs)->metrics_url(), "");
}

// The whole alerting path from configuration alone: a rule file, a webhook
// receiver, the store. A gauge over its threshold fires, the receiver gets
// the alert, and the store keeps the state change and the attempt.
TEST(ObservabilityTest, ARuleFromTheRuleFileFiresToTheConfiguredReceiver) {
  testing::TempDir dir;
  testing::ScriptedReceiver receiver("/hook");
  testing::ScriptedReceiver file_receiver("/file-hook");
  ::setenv("TAI_TEST_FILE_HOOK", (file_receiver.url() + "/file-hook").c_str(), 1);
  {
    std::ofstream rules(dir.path() + "/rules.yaml");
    rules << "notifiers:\n"
             "  - {name: file-hook, type: webhook, url_env: TAI_TEST_FILE_HOOK}\n"
             "rules:\n"
             "  - id: queue-full\n"
             "    metric: app/queue_depth\n"
             "    op: \">\"\n"
             "    threshold: 10\n"
             "    window: 10s\n"
             "    aggregation: last\n"
             "    interval: 1s\n"
             "    labels: {severity: page}\n"
             "    annotations: {summary: \"queue at {{ $value }}\"}\n";
  }
  Config c = AlertingConfig(dir.path(), receiver.url() + "/hook");
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  ASSERT_NE((*obs)->alerts(), nullptr) << (*obs)->alerts_status().ToString();
  ASSERT_NE((*obs)->notifications(), nullptr);
  auto depth = (*obs)->metrics().CreateGauge({.metric_type = "app/queue_depth"}).value();
  depth.Set(42);

  ASSERT_TRUE(receiver.WaitForRequests(1, std::chrono::seconds(30)));
  nlohmann::json payload = receiver.json(0);
  ASSERT_FALSE(payload.is_discarded()) << receiver.body(0);
  EXPECT_EQ(payload["status"], "firing");
  EXPECT_EQ(payload["alerts"][0]["labels"]["alertname"], "queue-full");
  EXPECT_EQ(payload["alerts"][0]["labels"]["severity"], "page");
  EXPECT_EQ(payload["alerts"][0]["annotations"]["summary"], "queue at 42");
  // The rule file's own receiver, its URL from the environment, gets it too.
  ASSERT_TRUE(file_receiver.WaitForRequests(1, std::chrono::seconds(30)));
  EXPECT_EQ(file_receiver.json(0)["alerts"][0]["labels"]["alertname"], "queue-full");

  std::shared_ptr<Store> store = (*obs)->store();
  (*obs)->Shutdown();
  ASSERT_TRUE(store->Flush(std::chrono::seconds(10)).ok());
  auto events = store->SearchAlertEvents({.rule_id = "queue-full"});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  bool fired = false;
  for (const AlertEventRecord& e : *events) fired = fired || e.state == "firing";
  EXPECT_TRUE(fired);
  auto attempts = store->SearchNotifications({});
  ASSERT_TRUE(attempts.ok()) << attempts.status().ToString();
  std::set<std::string> notified;
  for (const NotificationAttempt& a : *attempts) {
    if (a.ok) notified.insert(a.notifier);
  }
  EXPECT_EQ(notified, (std::set<std::string>{"file-hook", "webhook"}));
}

// A receiver that refuses what it is sent is said once in the library's
// log, not on every attempt.
TEST(ObservabilityTest, AFailingNotifierIsLoggedOnce) {
  testing::TempDir dir;
  testing::ScriptedReceiver receiver("/hook", 400);
  std::ofstream(dir.path() + "/rules.yaml")
      << "rules:\n  - {id: always, metric: app/g, op: '>', threshold: -1, window: 10s,\n"
         "     aggregation: last, interval: 1s, repeat_interval: 1s}\n";
  Config c = AlertingConfig(dir.path(), receiver.url() + "/hook");
  c.logs.format = LogFormat::kOff;
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto sink = std::make_shared<InMemoryLogSink>();
  (*obs)->logs().AddSink(sink);
  (*obs)->metrics().CreateGauge({.metric_type = "app/g"}).value().Set(1);
  ASSERT_TRUE(receiver.WaitForRequests(2, std::chrono::seconds(30)));  // the repeat fails too
  (*obs)->Shutdown();
  int said = 0;
  for (const LogRecord& r : sink->records()) {
    if (r.message.find("notifier webhook is failing") != std::string::npos) ++said;
  }
  EXPECT_EQ(said, 1);
}

TEST(ObservabilityTest, AlertingNeedsTheStoreAndABadRuleFileFailsStart) {
  testing::TempDir dir;
  Config off = TestConfig();  // the store is off in these tests
  auto obs = Observability::Start(off);
  ASSERT_TRUE(obs.ok());
  EXPECT_EQ((*obs)->alerts(), nullptr);
  EXPECT_NE((*obs)->alerts_status().message().find("alerting needs the embedded store"),
            std::string::npos);

  std::ofstream(dir.path() + "/bad.yaml") << "rules:\n  - id: x\n    metric: m\n    window: soon\n";
  Config bad = TestConfig();
  bad.store.enabled = true;
  bad.store.options.path = dir.path() + "/svc.db";
  bad.alerts.rule_file = dir.path() + "/bad.yaml";
  auto failed = Observability::Start(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("bad.yaml: rule 'x' (#1): field 'window'"),
            std::string::npos)
      << failed.status().message();
}

// A continuous profiling service made with ProfilingOptions reports every
// comparison to the alert engine: a regression fires one alert, and the
// next comparison without it resolves that alert.
TEST(ObservabilityTest, ProfilingOptionsReportRegressionsToTheAlertEngine) {
  testing::TempDir dir;
  Config c = TestConfig();
  c.store.enabled = true;
  c.store.options.path = dir.path() + "/svc.db";
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  ContinuousProfilingOptions options = (*obs)->ProfilingOptions();
  EXPECT_EQ(options.resource.service_name, "test-service");
  ASSERT_TRUE(options.on_comparison);
  ASSERT_TRUE(options.baselines);  // kept in the store
  EXPECT_NE(options.baselines->description().find(dir.path() + "/svc.db"), std::string::npos);
  Regression slower{
      .function = "checkout::Charge", .increase_percent = 32, .severity = AlertSeverity::kHigh};
  const int64_t t0 = WallNanos();
  ComparisonOutcome outcome{.kind = ProfileKind::kCpu,
                            .profile_id = "cpu-000007",
                            .time_nanos = t0,
                            .baseline_time_nanos = t0 - 60'000'000'000};
  outcome.comparison.regressions = {slower};
  outcome.comparison.total_change_percent = 4.5;
  options.on_comparison(outcome);
  auto alerts = (*obs)->alerts()->Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].state, AlertState::kFiring);
  EXPECT_EQ(*alerts[0].labels.Find("function"), "checkout::Charge");
  outcome.profile_id = "cpu-000008";
  outcome.time_nanos = t0 + 1;
  outcome.comparison.regressions.clear();
  options.on_comparison(outcome);
  alerts = (*obs)->alerts()->Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].state, AlertState::kResolved);

  // Both comparisons are in the store's history, newest first.
  ASSERT_TRUE((*obs)->store()->Flush(std::chrono::seconds(10)).ok());
  auto history = (*obs)->store()->SearchProfileComparisons({});
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].profile_id, "cpu-000008");
  EXPECT_EQ((*history)[0].regressions, 0u);
  EXPECT_EQ((*history)[0].severity, "NONE");
  const ProfileComparisonRecord& regressed = (*history)[1];
  EXPECT_EQ(regressed.service, "test-service");
  EXPECT_EQ(regressed.kind, "CPU");
  EXPECT_EQ(regressed.time_nanos, t0);
  EXPECT_EQ(regressed.baseline_time_nanos, t0 - 60'000'000'000);
  EXPECT_EQ(regressed.regressions, 1u);
  EXPECT_EQ(regressed.severity, "HIGH");
  EXPECT_EQ(regressed.total_change_percent, 4.5);
  EXPECT_NE(regressed.details_json.find(
                R"("regressions":[{"function":"checkout::Charge","baseline_micros":0,)"),
            std::string::npos)
      << regressed.details_json;
  auto only = (*obs)->store()->SearchProfileComparisons({.regressions_only = true});
  ASSERT_TRUE(only.ok());
  ASSERT_EQ(only->size(), 1u);
  EXPECT_EQ((*only)[0].profile_id, "cpu-000007");
}

// With the store on, the dashboard is served on the /metrics server: its
// API answers from the store. Off a loopback address it needs a token: auto
// skips it (and /metrics still runs), on refuses to start.
TEST(ObservabilityTest, TheDashboardIsServedBesideMetricsAndGuardedOffLoopback) {
  testing::TempDir dir;
  Config c = TestConfig();
  c.store.enabled = true;
  c.store.options.path = dir.path() + "/svc.db";
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  ASSERT_NE((*obs)->dashboard_url(), "") << (*obs)->dashboard_status().ToString();
  internal::HttpClient client;
  auto info = client.Send({.method = "GET", .url = (*obs)->dashboard_url() + "api/info"});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->status, 200) << info->body;
  EXPECT_NE(info->body.find("test-service"), std::string::npos) << info->body;
  (*obs)->Shutdown();

  Config open = c;
  open.store.options.path = dir.path() + "/open.db";
  open.metrics.prometheus_address = "0.0.0.0:0";
  auto skipped = Observability::Start(open);
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_EQ((*skipped)->dashboard_url(), "");
  EXPECT_NE((*skipped)->dashboard_status().message().find("TAI_DASHBOARD_TOKEN"),
            std::string::npos);
  EXPECT_NE((*skipped)->metrics_url(), "");
  (*skipped)->Shutdown();

  open.dashboard.mode = DashboardServerConfig::Mode::kOn;
  open.store.options.path = dir.path() + "/on.db";
  auto refused = Observability::Start(open);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("TAI_DASHBOARD_TOKEN"), std::string::npos);
}

}  // namespace
}  // namespace tai

namespace tai {
namespace {

// The golden signals come without hand work: one Use line gives the
// service's own server the HTTP metrics, and the process metrics are there.
TEST(ObservabilityTest, GoldenSignalsWithoutHandWork) {
  Config c = TestConfig();
  c.logs.format = LogFormat::kOff;
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto server = std::make_unique<HttpServer>();
  server->Use(HttpMetricsMiddleware((*obs)->http_server_metrics()));
  server->Handle("GET", "/pay/:id", [](const HttpRequest&, HttpResponse& w) { w.status = 502; });
  ASSERT_TRUE(server->Start().ok());
  internal::HttpClient client;
  for (const char* path : {"/pay/1", "/pay/2"}) {
    auto answer = client.Send({.method = "GET", .url = server->url() + path});
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  }
  // Continuous profiling made from the Observability divides each window's
  // CPU by the requests the middleware recorded in it.
  ContinuousProfilingOptions profiling = (*obs)->ProfilingOptions();
  EXPECT_EQ(profiling.comparison.normalization, Normalization::kPerWork);
  ASSERT_TRUE(profiling.work_counter);
  EXPECT_EQ(profiling.work_counter(), 2.0);
  ASSERT_TRUE(client.Send({.method = "GET", .url = server->url() + "/pay/3"}).ok());
  EXPECT_EQ(profiling.work_counter(), 3.0);
  auto batch = (*obs)->metrics().Collect();
  std::map<std::string, int64_t> routes;
  for (const MetricData& m : batch->metrics) {
    if (m.descriptor->metric_type != "http.server.requests") continue;
    for (const MetricPoint& p : m.points) routes[*p.labels.Find("http_route")] += p.value.int64();
  }
  EXPECT_EQ(routes, (std::map<std::string, int64_t>{{"/pay/:id", 3}}));
  bool errors = false, memory = false;
  for (const MetricData& m : batch->metrics) {
    errors |= m.descriptor->metric_type == "http.server.request.errors" && !m.points.empty();
    memory |= m.descriptor->metric_type == "process.memory.usage" && !m.points.empty() &&
              m.points[0].value.AsDouble() > 0;
  }
  EXPECT_TRUE(errors);
  EXPECT_TRUE(memory);
  (*obs)->Shutdown();

  c.metrics.process_metrics = false;
  auto without = Observability::Start(c);
  ASSERT_TRUE(without.ok());
  auto plain = (*without)->metrics().Collect();
  for (const MetricData& m : plain->metrics) {
    EXPECT_FALSE(m.descriptor->metric_type.starts_with("process.")) << m.descriptor->metric_type;
  }
}

}  // namespace
}  // namespace tai

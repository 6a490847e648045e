#include "observability/health.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/temp_dir_testing.h"
#include "export/http/http_client.h"
#include "tai/log/log_sink.h"
#include "tai/observability.h"

namespace tai {
namespace {

using std::chrono::milliseconds;
using testing::TempDir;

Config HealthConfig() {
  Config c;
  c.resource.service_name = "health-test";
  c.metrics.prometheus_address = "127.0.0.1:0";
  c.metrics.collect_interval = milliseconds(50);
  c.store.enabled = false;
  c.logs.format = LogFormat::kOff;
  return c;
}

template <typename Pred>
bool WaitFor(Pred pred, milliseconds deadline = milliseconds(20'000)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

TEST(HealthTest, HealthzIsOkWithNothingFailing) {
  auto obs = Observability::Start(HealthConfig());
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  internal::HttpClient client;
  auto r = client.Send({.method = "GET", .url = (*obs)->http_server()->url() + "/healthz"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.rfind("{\"status\":\"ok\",\"exporters\":[]", 0), 0u) << r->body;
  EXPECT_TRUE((*obs)->Health().ok);
}

TEST(HealthTest, AFailingExporterIsDegradedOnHealthzAndLoggedOnce) {
  HttpServer collector;
  std::atomic<bool> failing{true};
  collector.Handle("POST", "/v1/logs",
                   [&](const HttpRequest&, HttpResponse& w) { w.status = failing ? 503 : 200; });
  ASSERT_TRUE(collector.Start().ok());
  Config c = HealthConfig();
  c.logs.otlp_endpoint = collector.url();
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto sink = std::make_shared<InMemoryLogSink>();
  (*obs)->logs().AddSink(sink);
  TAI_LOG_INFO((*obs)->logger("app"), "one record for the collector");
  (void)(*obs)->logs().Flush(milliseconds(5'000));

  ASSERT_TRUE(WaitFor([&] { return !(*obs)->Health().ok; }));
  HealthReport h = (*obs)->Health();
  ASSERT_EQ(h.exporters.size(), 1u);
  EXPECT_TRUE(h.exporters[0].stats.backend_down);
  internal::HttpClient client;
  auto r = client.Send({.method = "GET", .url = (*obs)->http_server()->url() + "/healthz"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"status\":\"degraded\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"backend_down\":true"), std::string::npos) << r->body;

  auto said = [&](std::string_view words) {
    size_t n = 0;
    for (const LogRecord& rec : sink->records()) {
      n += rec.logger_name == "tai.health" && rec.message.find(words) != std::string::npos;
    }
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return said("cannot deliver") > 0; }));
  // About six more collections (every 50 ms) while it still fails: still
  // said once.
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(said("cannot deliver"), 1u);

  failing = false;
  ASSERT_TRUE(WaitFor([&] { return said("delivers again") == 1; }));
  EXPECT_TRUE((*obs)->Health().ok);
}

// A store that cannot commit (here its size cap; a full disk is the same)
// makes the service degraded for a minute, and says why, even when smaller
// commits (the library's own report of the failure) go through after it.
TEST(HealthTest, AStoreThatCannotCommitIsDegraded) {
  TempDir dir;
  Config c = HealthConfig();
  c.store.enabled = true;
  c.alerts.enabled = false;
  c.store.options.path = dir.path() + "/health.db";
  c.store.options.max_file_bytes = 256 * 1024;
  auto obs = Observability::Start(c);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  EXPECT_TRUE((*obs)->Health().ok);
  auto sink = std::make_shared<InMemoryLogSink>();
  (*obs)->logs().AddSink(sink);
  Logger& app = (*obs)->logger("app");
  const std::string filler(2000, 'x');
  for (int i = 0; i < 2000 && (*obs)->Health().store_writes.failed_commits == 0; ++i) {
    for (int k = 0; k < 50; ++k) TAI_LOG_INFO(app, "filling the store {} {}", i * 50 + k, filler);
    (void)(*obs)->logs().Flush(milliseconds(5'000));
    (void)(*obs)->store()->Flush(milliseconds(5'000));
  }
  const HealthReport h = (*obs)->Health();
  ASSERT_GT(h.store_writes.failed_commits, 0u);
  EXPECT_FALSE(h.ok);
  EXPECT_GT(h.store_writes.dropped_of(StoreSignal::kLogs), 0u);
  internal::HttpClient client;
  auto r = client.Send({.method = "GET", .url = (*obs)->http_server()->url() + "/healthz"});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find("\"status\":\"degraded\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"store_writes\":{\"written\":"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("full"), std::string::npos) << r->body;
  EXPECT_NE(h.store_writes.last_failure.find("full"), std::string::npos)
      << h.store_writes.last_failure;
  EXPECT_TRUE(
      internal::StoreFailedRecently(h.store_writes, h.store_writes.last_failure_unix_nanos));
  EXPECT_FALSE(internal::StoreFailedRecently(
      h.store_writes, h.store_writes.last_failure_unix_nanos + 61'000'000'000));

  // Said once in the library's own log, naming the file and the reason.
  auto said = [&] {
    size_t n = 0;
    for (const LogRecord& rec : sink->records()) {
      n += rec.logger_name == "tai.store" && rec.level == LogLevel::kError &&
           rec.message.find(c.store.options.path) != std::string::npos &&
           rec.message.find("full") != std::string::npos;
    }
    return n;
  };
  ASSERT_TRUE(WaitFor([&] {
    (void)(*obs)->logs().Flush(milliseconds(1'000));
    return said() > 0;
  }));
  EXPECT_EQ(said(), 1u);
}

TEST(HealthTest, RefusalsAreSelfMetrics) {
  auto obs = Observability::Start(HealthConfig());
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  internal::HttpClient client;
  auto bad = client.Send({.method = "GET",
                          .url = (*obs)->http_server()->url() + "/metrics",
                          .headers = {{"X-Big", std::string(64 << 10, 'x')}}});
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_EQ(bad->status, 431);
  auto metrics = client.Send({.method = "GET", .url = (*obs)->metrics_url()});
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("tai_http_server_refusals_total{reason=\"too_large\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace tai

// Google Cloud export switched on through Config, as a service does it:
// spans, metrics and logs reach the three emulators, the exporters' queues
// show on /metrics, and what an outage keeps from being sent before
// shutdown is sent by the next process.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/temp_dir_testing.h"
#include "export/http/http_client.h"
#include "tai/observability.h"
#include "tests/gcp_emulator/fault_proxy.h"
#include "tests/gcp_emulator/logging_emulator.h"
#include "tests/gcp_emulator/monitoring_emulator.h"
#include "tests/gcp_emulator/trace_emulator.h"

namespace tai {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class ObservabilityGcpTest : public ::testing::Test {
 protected:
  // A VM's metadata server: the service finds it runs on gce_instance 987.
  ObservabilityGcpTest() {
    metadata_.Handle("GET", "/computeMetadata/v1/*", [](const HttpRequest& r, HttpResponse& w) {
      if (r.path.ends_with("/project/project-id")) {
        w.body = "obs-project";
      } else if (r.path.ends_with("/instance/zone")) {
        w.body = "projects/1/zones/us-east1-c";
      } else if (r.path.ends_with("/instance/id")) {
        w.body = "987";
      } else {
        w.status = 404;
      }
    });
    EXPECT_TRUE(metadata_.Start().ok());
  }
  void SetUp() override { ASSERT_FALSE(spill_.empty()); }

  Config GcpConfig(const std::string& trace_url) {
    Config c;
    c.resource.service_name = "shop";
    c.resource.gcp_project = "obs-project";
    c.metrics.prometheus_address = "127.0.0.1:0";
    c.metrics.collect_interval = 1h;
    c.traces.sampler = "always_on";
    c.logs.format = LogFormat::kOff;
    c.shutdown_deadline = 2s;
    c.store.enabled = false;  // these tests are about Google Cloud; no file in the build tree
    c.gcp.enabled = true;
    c.gcp.authenticate = false;
    c.gcp.logs_api = true;
    c.gcp.endpoints.trace = trace_url;
    c.gcp.endpoints.monitoring = monitoring_.url();
    c.gcp.endpoints.logging = logging_.url();
    c.gcp.endpoints.metadata_host = "127.0.0.1:" + std::to_string(metadata_.port());
    c.gcp.default_spill_directory = false;
    c.gcp.delivery.spill_directory = spill_;
    c.gcp.delivery.initial_backoff = 20ms;
    c.gcp.delivery.max_backoff = 200ms;
    return c;
  }

  HttpServer metadata_;
  testing::TraceEmulator trace_;
  testing::MonitoringEmulator monitoring_;
  testing::LoggingEmulator logging_;
  testing::TempDir spill_dir_;
  const std::string& spill_ = spill_dir_.path();
};

TEST_F(ObservabilityGcpTest, EveryPillarReachesItsApiAndTheQueuesShowOnMetrics) {
  auto obs = Observability::Start(GcpConfig(trace_.url()));
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  auto orders = (*obs)->metrics().CreateCounter({.metric_type = "shop/orders"}).value();
  {
    Span span = (*obs)->tracer().StartSpan("checkout");
    SpanScope scope(span);
    orders.Add(3);
    TAI_LOG_WARN((*obs)->logger("cart"), "stock low");
  }
  internal::HttpClient client;
  auto page = client.Send({.method = "GET", .url = (*obs)->metrics_url()});
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->body.find("tai_export_queue_bytes{sink=\"cloud-trace\",where=\"disk\"}"),
            std::string::npos)
      << page->body;
  EXPECT_NE(
      page->body.find("tai_export_requests_total{outcome=\"dropped\",sink=\"cloud-logging\"}"),
      std::string::npos);
  (*obs)->Shutdown();

  ASSERT_EQ(trace_.spans().size(), 1u);
  EXPECT_EQ(trace_.spans()[0]["displayName"]["value"], "checkout");
  EXPECT_TRUE(monitoring_.descriptors().count("custom.googleapis.com/shop/orders"));
  // Ours, beside the library's own statement at Start (environment, sampling).
  std::vector<json> stock;
  for (const json& e : logging_.entries()) {
    if (e["jsonPayload"]["message"] == "stock low") stock.push_back(e);
  }
  ASSERT_EQ(stock.size(), 1u);
  // "projects/obs-project/traces/<id>", the start of the span's name.
  const std::string span_name = trace_.spans()[0]["name"];
  EXPECT_EQ(stock[0]["trace"], span_name.substr(0, span_name.find("/spans/")));
  const json gce = {
      {"type", "gce_instance"},
      {"labels", {{"project_id", "obs-project"}, {"instance_id", "987"}, {"zone", "us-east1-c"}}}};
  EXPECT_EQ(logging_.resource(), gce);
  ASSERT_FALSE(monitoring_.series().empty());
  EXPECT_EQ(monitoring_.series()[0]["resource"], gce);
  for (auto* api : {static_cast<testing::ApiEmulator*>(&trace_),
                    static_cast<testing::ApiEmulator*>(&monitoring_),
                    static_cast<testing::ApiEmulator*>(&logging_)}) {
    EXPECT_TRUE(api->problems().empty()) << api->problems().front();
  }
}

// A service stopped during a Cloud Trace outage keeps its spans on disk;
// the next start sends them first.
TEST_F(ObservabilityGcpTest, SpansKeptThroughARestartDuringAnOutage) {
  testing::FaultProxy network(testing::PortOf(trace_.url()));
  network.SetDown(true);
  {
    auto obs = Observability::Start(GcpConfig(network.url()));
    ASSERT_TRUE(obs.ok()) << obs.status().ToString();
    for (int i = 0; i < 5; ++i) (*obs)->tracer().StartSpan("before restart " + std::to_string(i));
    (*obs)->Shutdown();
  }
  EXPECT_TRUE(trace_.spans().empty());
  EXPECT_FALSE(std::filesystem::is_empty(spill_ + "/cloud-trace"));

  network.SetDown(false);
  auto obs = Observability::Start(GcpConfig(network.url()));
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  (*obs)->tracer().StartSpan("after restart");
  (*obs)->Shutdown();
  const auto spans = trace_.spans();
  ASSERT_EQ(spans.size(), 6u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(spans[i]["displayName"]["value"], "before restart " + std::to_string(i));
  }
  EXPECT_EQ(spans[5]["displayName"]["value"], "after restart");
}

// Issue 20 #1: logs spilled under one project are sent, after a restart
// under another, to the project the service reports to now (Cloud
// Logging's URL names no project: the body does, and follows).
class ProjectMoveTest : public ObservabilityGcpTest {
 protected:
  // Logs "before move" during a Cloud Logging outage under `old-project`,
  // shuts down (the request is spilled), then restarts under obs-project
  // with the network back and logs "after move".
  std::unique_ptr<Observability> MoveAndRestart(testing::FaultProxy& network) {
    network.SetDown(true);
    {
      Config c = GcpConfig(trace_.url());
      c.resource.gcp_project = "old-project";
      c.gcp.endpoints.logging = network.url();
      auto obs = Observability::Start(c);
      EXPECT_TRUE(obs.ok()) << obs.status().ToString();
      TAI_LOG_WARN((*obs)->logger("cart"), "before move");
      (*obs)->Shutdown();
    }
    EXPECT_FALSE(std::filesystem::is_empty(spill_ + "/cloud-logging"));
    network.SetDown(false);
    Config c = GcpConfig(trace_.url());
    c.gcp.endpoints.logging = network.url();
    auto obs = Observability::Start(c);
    EXPECT_TRUE(obs.ok()) << obs.status().ToString();
    TAI_LOG_WARN((*obs)->logger("cart"), "after move");
    return std::move(*obs);
  }

  std::vector<std::string> Messages() {
    std::vector<std::string> out;
    for (const json& e : logging_.entries()) {
      const std::string m = e["jsonPayload"].value("message", "");
      if (m.ends_with(" move")) out.push_back(m);
    }
    return out;
  }
};

TEST_F(ProjectMoveTest, SpilledLogsGoToTheNewProject) {
  testing::FaultProxy network(testing::PortOf(logging_.url()));
  std::unique_ptr<Observability> obs = MoveAndRestart(network);
  obs->Shutdown();
  EXPECT_EQ(Messages(), (std::vector<std::string>{"before move", "after move"}));
  for (const std::string& name : logging_.log_names()) {
    EXPECT_TRUE(name.starts_with("projects/obs-project/logs/")) << name;
  }
  EXPECT_TRUE(logging_.problems().empty()) << logging_.problems().front();
}

// A request made before the move that the new configuration refuses (403)
// is dropped and said, not retried ahead of every newer request forever.
TEST_F(ProjectMoveTest, ARefusedOldRequestIsDroppedNotHeldForever) {
  testing::FaultProxy network(testing::PortOf(logging_.url()));
  logging_.RefuseRequestsContaining("before move");
  std::unique_ptr<Observability> obs = MoveAndRestart(network);
  ASSERT_TRUE(obs->logs().Flush(10s).ok());
  const HealthReport h = obs->Health();
  obs->Shutdown();
  EXPECT_EQ(Messages(), (std::vector<std::string>{"after move"}));
  const ExporterHealth* logging = nullptr;
  for (const ExporterHealth& e : h.exporters) {
    if (e.name == "cloud-logging") logging = &e;
  }
  ASSERT_NE(logging, nullptr);
  EXPECT_EQ(logging->stats.rejected, 1u);
  EXPECT_NE(logging->stats.last_loss_error.find("before the endpoint or project changed"),
            std::string::npos)
      << logging->stats.last_loss_error;
}

}  // namespace
}  // namespace tai

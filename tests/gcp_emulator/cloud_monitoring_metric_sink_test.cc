// Cloud Monitoring export checked by the emulator: instruments recorded by
// a real registry and collector go through CloudMonitoringMetricSink to a
// loopback server that checks every request against Google's
// metric_service.proto / metric.proto and the API's rules.
#include "tai/gcp/cloud_monitoring_metric_sink.h"

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "tai/metrics/metric_collector.h"
#include "tai/metrics/metric_registry.h"
#include "tai/web/http_server.h"
#include "tests/gcp_emulator/fault_proxy.h"
#include "tests/gcp_emulator/monitoring_emulator.h"

namespace tai::gcp {
namespace {

using nlohmann::json;
using testing::MonitoringEmulator;

const json* FindSeries(const std::vector<json>& all, const std::string& type) {
  for (const json& s : all) {
    if (s["metric"]["type"] == type) return &s;
  }
  return nullptr;
}

TEST(CloudMonitoringExporterTest, InstrumentsPassTheEmulatorsChecks) {
  MonitoringEmulator emulator;
  Resource resource;
  resource.service_name = "checkout";
  resource.instance_id = "i-7";
  MetricRegistry registry({}, std::make_shared<const Resource>(resource));
  auto requests = registry
                      .CreateCounter({.metric_type = "custom.googleapis.com/shop/requests",
                                      .description = "Requests",
                                      .labels = {{"code"}}})
                      .value();
  auto latency = registry
                     .CreateHistogram({.metric_type = "shop/latency",
                                       .unit = MetricUnit::kMilliseconds,
                                       .description = "Latency"})
                     .value();
  auto sizes = registry
                   .CreateHistogram({.metric_type = "shop/size", .unit = MetricUnit::kBytes},
                                    {.explicit_bounds = {100, 1000, 10000}})
                   .value();
  auto queue = registry.CreateGauge({.metric_type = "shop/queue"}).value();
  for (int i = 1; i <= 1000; ++i) {
    requests.Add(1, {{"code", i % 10 ? "200" : "500"}});
    latency.Record(0.5 * i);
    sizes.Record(i * 20.0);
  }
  queue.Set(7.5);
  for (int i = 0; i < 250; ++i) {  // more series than one request holds
    requests.Add(1, {{"code", "c" + std::to_string(i)}});
  }

  auto sink = CloudMonitoringMetricSink::Create(
      {.api = {.project_id = "my-project", .endpoints = emulator.Endpoints()}});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  MetricCollector collector(registry, std::chrono::hours(1));
  collector.AddSink(*sink);
  collector.CollectNow();
  collector.CollectNow();  // within 5 s: the sink must hold the series back
  ASSERT_TRUE((*sink)->Flush(std::chrono::seconds(30)).ok());
  EXPECT_EQ((*sink)->delivery_stats().rejected, 0u);
  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();

  const auto descriptors = emulator.descriptors();
  ASSERT_TRUE(descriptors.count("custom.googleapis.com/shop/latency"));
  EXPECT_EQ(descriptors.at("custom.googleapis.com/shop/latency")["valueType"], "DISTRIBUTION");
  EXPECT_EQ(descriptors.at("custom.googleapis.com/shop/latency")["unit"], "ms");
  EXPECT_EQ(descriptors.at("custom.googleapis.com/shop/requests")["metricKind"], "CUMULATIVE");

  const auto series = emulator.series();
  const json* latency_series = FindSeries(series, "custom.googleapis.com/shop/latency");
  ASSERT_NE(latency_series, nullptr);
  const json& d = (*latency_series)["points"][0]["value"]["distributionValue"];
  EXPECT_EQ(d["count"], "1000");
  EXPECT_NEAR(d["mean"].get<double>(), 250.25, 1e-9);
  EXPECT_TRUE(d["bucketOptions"].contains("exponentialBuckets"));
  const json* size_series = FindSeries(series, "custom.googleapis.com/shop/size");
  ASSERT_NE(size_series, nullptr);
  EXPECT_EQ((*size_series)["points"][0]["value"]["distributionValue"]["bucketCounts"],
            json::array({"5", "45", "450", "500"}));  // 20..100, ..1000, ..10000, more
  const json* queue_series = FindSeries(series, "custom.googleapis.com/shop/queue");
  ASSERT_NE(queue_series, nullptr);
  EXPECT_EQ((*queue_series)["points"][0]["value"]["doubleValue"], 7.5);
  EXPECT_EQ((*queue_series)["metricKind"], "GAUGE");
  // 252 series (200, 500 and 250 more: split over requests), each twice:
  // the second collection, held back by the 5 s rule, went out at Flush
  // stamped 5 s after the first.
  std::map<std::string, std::vector<int64_t>> ends;
  for (const json& s : series) {
    if (s["metric"]["type"] != "custom.googleapis.com/shop/requests") continue;
    ends[s["metric"]["labels"].dump()].push_back(
        testing::ParseRfc3339Seconds(s["points"][0]["interval"]["endTime"]));
  }
  EXPECT_EQ(ends.size(), 252u);
  for (const auto& [labels, times] : ends) {
    ASSERT_EQ(times.size(), 2u) << labels;
    EXPECT_EQ(times[1] - times[0], 5) << labels;
  }
}

// The library's own tai_* series are billable custom metrics in Cloud
// Monitoring: they stay out unless asked for (TAI_GCP_SELF_METRICS).
TEST(CloudMonitoringExporterTest, SelfMetricsGoOnlyWhenAskedFor) {
  for (const bool self_metrics : {false, true}) {
    MonitoringEmulator emulator;
    MetricRegistry registry;
    auto requests = registry.CreateCounter({.metric_type = "shop/requests"}).value();
    auto own = registry.CreateGauge({.metric_type = "tai_export_queue_depth"}).value();
    requests.Add(1);
    own.Set(3);
    auto sink = CloudMonitoringMetricSink::Create(
        {.api = {.project_id = "my-project", .endpoints = emulator.Endpoints()},
         .self_metrics = self_metrics});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    ASSERT_TRUE((*sink)->Export(registry.Collect()).ok());
    ASSERT_TRUE((*sink)->Flush(std::chrono::seconds(30)).ok());
    EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
    const auto descriptors = emulator.descriptors();
    EXPECT_TRUE(descriptors.count("custom.googleapis.com/shop/requests"));
    EXPECT_EQ(descriptors.count("custom.googleapis.com/tai_export_queue_depth"),
              self_metrics ? 1u : 0u);
    EXPECT_EQ(
        FindSeries(emulator.series(), "custom.googleapis.com/tai_export_queue_depth") != nullptr,
        self_metrics);
  }
}

// The original design's distribution has percentiles and no buckets: each
// percentile reaches Cloud Monitoring as a gauge of its own.
TEST(CloudMonitoringExporterTest, PercentileOnlyDistributionsKeepTheirPercentiles) {
  MonitoringEmulator emulator;
  MetricRegistry registry;
  DistributionValue d{.count = 100, .mean = 40, .percentiles = {{"p50", 35}, {"p99.9", 180}}};
  ASSERT_TRUE(registry
                  .WritePoint("custom.googleapis.com/app/latency", d, LabelSet({{"route", "/pay"}}),
                              1'700'000'000'000'000'000)
                  .ok());
  auto sink = CloudMonitoringMetricSink::Create(
      {.api = {.project_id = "my-project", .endpoints = emulator.Endpoints()}});
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Export(registry.Collect()).ok());
  ASSERT_TRUE((*sink)->Flush(std::chrono::seconds(30)).ok());
  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  const auto descriptors = emulator.descriptors();
  ASSERT_TRUE(descriptors.count("custom.googleapis.com/app/latency_p99_9"));
  EXPECT_EQ(descriptors.at("custom.googleapis.com/app/latency_p99_9")["metricKind"], "GAUGE");
  EXPECT_EQ(descriptors.at("custom.googleapis.com/app/latency_p99_9")["valueType"], "DOUBLE");
  const auto series = emulator.series();
  const json* p50 = FindSeries(series, "custom.googleapis.com/app/latency_p50");
  ASSERT_NE(p50, nullptr);
  EXPECT_EQ((*p50)["points"][0]["value"]["doubleValue"], 35);
  EXPECT_EQ((*p50)["metric"]["labels"]["route"], "/pay");
  const json* whole = FindSeries(series, "custom.googleapis.com/app/latency");
  ASSERT_NE(whole, nullptr);  // count and mean still go as the distribution
  EXPECT_EQ((*whole)["points"][0]["value"]["distributionValue"]["count"], "100");
}

// With the API down, no spill directory and room for no request, Export
// says what it dropped, and the queue counts it.
TEST(CloudMonitoringExporterTest, DropsDuringAnOutageAreAClearError) {
  MonitoringEmulator emulator;
  testing::FaultProxy network(testing::PortOf(emulator.url()));
  network.SetDown(true);
  GcpApiOptions api{.project_id = "my-project"};
  api.endpoints.monitoring = network.url();
  api.delivery = {.memory_bytes = 100, .initial_backoff = std::chrono::hours(1)};
  auto sink = CloudMonitoringMetricSink::Create({.api = api});
  ASSERT_TRUE(sink.ok());
  MetricRegistry registry;
  auto requests = registry.CreateCounter({.metric_type = "shop/requests"}).value();
  requests.Add(1);
  Status s = (*sink)->Export(registry.Collect());
  ASSERT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  // Descriptors and series alike, each counted once.
  const uint64_t dropped = (*sink)->delivery_stats().dropped;
  EXPECT_GE(dropped, 2u);
  EXPECT_NE(s.message().find(std::to_string(dropped) + " requests dropped"), std::string::npos)
      << s.message();
  EXPECT_EQ(emulator.descriptors().size(), 0u);
}

TEST(CloudMonitoringExporterTest, MetricTypesWithoutADomainBecomeCustom) {
  EXPECT_EQ(CloudMonitoringMetricSink::CloudMetricType("shop/latency"),
            "custom.googleapis.com/shop/latency");
  EXPECT_EQ(CloudMonitoringMetricSink::CloudMetricType("tai_metric_exports"),
            "custom.googleapis.com/tai_metric_exports");
  EXPECT_EQ(CloudMonitoringMetricSink::CloudMetricType("workload.googleapis.com/x"),
            "workload.googleapis.com/x");
}

}  // namespace
}  // namespace tai::gcp

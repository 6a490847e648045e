// Cloud Monitoring export checked by the emulator: instruments recorded by
// a real registry and collector go through CloudMonitoringSink to a
// loopback server that checks every request against Google's
// metric_service.proto / metric.proto and the API's rules.
#include "tai/gcp/cloud_monitoring_exporter.h"

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "tai/http_server.h"
#include "tai/metric_collector.h"
#include "tai/metric_registry.h"
#include "tests/gcp_emulator/api_emulator.h"

namespace tai::gcp {
namespace {

using nlohmann::json;

int64_t ParseRfc3339Seconds(const std::string& t) {
  std::tm tm{};
  strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  return timegm(&tm);
}

class MonitoringEmulator : public testing::ApiEmulator {
 public:
  MonitoringEmulator() : ApiEmulator("google/monitoring/v3/metric_service.proto") {
    server().Handle("POST", "/v3/projects/:project/metricDescriptors",
                    [this](const HttpRequest& r, HttpResponse& w) { CreateDescriptor(r, w); });
    server().Handle("POST", "/v3/projects/:project/timeSeries",
                    [this](const HttpRequest& r, HttpResponse& w) { CreateTimeSeries(r, w); });
    Start();
  }
  GcpEndpoints Endpoints() const {
    GcpEndpoints e;
    e.monitoring = url();
    return e;
  }
  std::map<std::string, json> descriptors() {
    std::lock_guard<std::mutex> lock(mu());
    return descriptors_;
  }
  std::vector<json> series() {
    std::lock_guard<std::mutex> lock(mu());
    return series_;
  }

 private:
  void CreateDescriptor(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    if (Status s = validator().Check("google.api.MetricDescriptor", r.body); !s.ok()) {
      return Reject(w, s.message());
    }
    const json d = json::parse(r.body);
    const std::string type = d["type"];
    if (!type.starts_with("custom.googleapis.com/")) return Reject(w, "not a custom type: " + type);
    if (d["labels"].size() > 30) return Reject(w, "over 30 labels");
    descriptors_[type] = d;
    w.body = r.body;
  }

  void CreateTimeSeries(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    if (Status s = validator().Check("google.monitoring.v3.CreateTimeSeriesRequest", r.body);
        !s.ok()) {
      return Reject(w, s.message());
    }
    const json body = json::parse(r.body);
    if (body["timeSeries"].size() > 200) return Reject(w, "over 200 time series in one request");
    std::set<std::string> in_request;
    for (const json& ts : body["timeSeries"]) {
      const std::string type = ts["metric"]["type"];
      if (!descriptors_.count(type)) return Reject(w, "no descriptor for " + type);
      if (ts["resource"]["type"] != "generic_task") return Reject(w, "unexpected resource type");
      for (const char* label : {"project_id", "location", "namespace", "job", "task_id"}) {
        if (!ts["resource"]["labels"].contains(label)) {
          return Reject(w, std::string("generic_task without ") + label);
        }
      }
      if (ts["points"].size() != 1) return Reject(w, "one point per time series per request");
      const std::string key = type + ts["metric"]["labels"].dump();
      if (!in_request.insert(key).second) return Reject(w, "a series twice in one request");
      const json& interval = ts["points"][0]["interval"];
      const int64_t end = ParseRfc3339Seconds(interval["endTime"]);
      if (ts["metricKind"] == "CUMULATIVE") {
        if (!interval.contains("startTime") || interval["startTime"] >= interval["endTime"]) {
          return Reject(w, "a cumulative point needs a start before its end");
        }
      } else if (interval.contains("startTime") && interval["startTime"] != interval["endTime"]) {
        return Reject(w, "a gauge point's start must equal its end");
      }
      if (auto it = last_end_.find(key); it != last_end_.end() && end - it->second < 5) {
        return Reject(w, "points of " + key + " less than 5 s apart");
      }
      const json& value = ts["points"][0]["value"];
      if (value.contains("distributionValue") &&
          value["distributionValue"].contains("bucketCounts")) {
        const json& d = value["distributionValue"];
        uint64_t total = 0;
        for (const json& c : d["bucketCounts"]) total += std::stoull(c.get<std::string>());
        if (std::to_string(total) != d["count"])
          return Reject(w, "bucket counts do not sum to count");
        const json& opts = d["bucketOptions"];
        const size_t expected =
            opts.contains("exponentialBuckets")
                ? opts["exponentialBuckets"]["numFiniteBuckets"].get<size_t>() + 2
                : opts["explicitBuckets"]["bounds"].size() + 1;
        if (d["bucketCounts"].size() != expected) return Reject(w, "wrong number of buckets");
        if (expected > 200) return Reject(w, "over 200 buckets");
      }
    }
    for (const json& ts : body["timeSeries"]) {
      last_end_[ts["metric"]["type"].get<std::string>() + ts["metric"]["labels"].dump()] =
          ParseRfc3339Seconds(ts["points"][0]["interval"]["endTime"]);
      series_.push_back(ts);
    }
    w.body = "{}";
  }

  std::map<std::string, json> descriptors_;
  std::map<std::string, int64_t> last_end_;
  std::vector<json> series_;
};

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

  auto sink = CloudMonitoringSink::Create(
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
  int request_series = 0;
  for (const json& s : series)
    request_series += s["metric"]["type"] == "custom.googleapis.com/shop/requests";
  EXPECT_EQ(request_series, 252);  // 200, 500 and 250 more: split over requests
}

TEST(CloudMonitoringExporterTest, MetricTypesWithoutADomainBecomeCustom) {
  EXPECT_EQ(CloudMonitoringSink::CloudMetricType("shop/latency"),
            "custom.googleapis.com/shop/latency");
  EXPECT_EQ(CloudMonitoringSink::CloudMetricType("tai_metric_exports"),
            "custom.googleapis.com/tai_metric_exports");
  EXPECT_EQ(CloudMonitoringSink::CloudMetricType("workload.googleapis.com/x"),
            "workload.googleapis.com/x");
}

}  // namespace
}  // namespace tai::gcp

// Test support: Cloud Monitoring v3 on 127.0.0.1. Checks descriptors and
// time series against Google's metric_service.proto and the API's rules
// (200 series per request, one point per series, 5 s between points of a
// series, cumulative intervals, bucket counts). Thread-safe.
#pragma once

#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tai/gcp/credentials.h"
#include "tests/gcp_emulator/api_emulator.h"

namespace tai::testing {

using nlohmann::json;

inline int64_t ParseRfc3339Seconds(const std::string& t) {
  std::tm tm{};
  strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  return timegm(&tm);
}

class MonitoringEmulator : public ApiEmulator {
 public:
  MonitoringEmulator() : ApiEmulator("google/monitoring/v3/metric_service.proto") {
    server().Handle("POST", "/v3/projects/:project/metricDescriptors",
                    [this](const HttpRequest& r, HttpResponse& w) { CreateDescriptor(r, w); });
    server().Handle("POST", "/v3/projects/:project/timeSeries",
                    [this](const HttpRequest& r, HttpResponse& w) { CreateTimeSeries(r, w); });
    Start();
  }
  gcp::GcpEndpoints Endpoints() const {
    gcp::GcpEndpoints e;
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
      if (std::string why = CheckMonitoredResource(ts["resource"].dump()); !why.empty()) {
        return Reject(w, why);
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

}  // namespace tai::testing

// Test support: Cloud Monitoring v3 on 127.0.0.1. Checks descriptors and
// time series against Google's metric_service.proto and the API's rules
// (200 series per request, one point per series, 5 s between points of a
// series, cumulative intervals, bucket counts).
//
// Keeps alert policies too (alertPolicies list, create, patch, delete):
// bodies checked against alert.proto (google.monitoring.v3.AlertPolicy) and
// update masks against its fields, plus rules the API applies: a display
// name, 1 to 6 conditions, label text in userLabels, notification channels
// that exist in the project (AddNotificationChannel). Lists come in pages of
// at most set_alert_policy_page_size() policies. Thread-safe.
#pragma once

#include <algorithm>
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
  MonitoringEmulator()
      : ApiEmulator(std::vector<std::string>{"google/monitoring/v3/metric_service.proto",
                                             "google/monitoring/v3/alert_service.proto"}) {
    server().Handle("POST", "/v3/projects/:project/metricDescriptors",
                    [this](const HttpRequest& r, HttpResponse& w) { CreateDescriptor(r, w); });
    server().Handle("POST", "/v3/projects/:project/timeSeries",
                    [this](const HttpRequest& r, HttpResponse& w) { CreateTimeSeries(r, w); });
    server().Handle("GET", "/v3/projects/:project/alertPolicies",
                    [this](const HttpRequest& r, HttpResponse& w) { ListPolicies(r, w); });
    server().Handle("POST", "/v3/projects/:project/alertPolicies",
                    [this](const HttpRequest& r, HttpResponse& w) { CreatePolicy(r, w); });
    server().Handle("PATCH", "/v3/projects/:project/alertPolicies/:id",
                    [this](const HttpRequest& r, HttpResponse& w) { PatchPolicy(r, w); });
    server().Handle("DELETE", "/v3/projects/:project/alertPolicies/:id",
                    [this](const HttpRequest& r, HttpResponse& w) { DeletePolicy(r, w); });
    Start();
  }
  ~MonitoringEmulator() override { StopServing(); }
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
  // The projects of the URLs that descriptors and time series were written to.
  std::set<std::string> projects() {
    std::lock_guard<std::mutex> lock(mu());
    return projects_;
  }

  // Alert policies by name ("projects/p/alertPolicies/3").
  std::map<std::string, json> alert_policies() {
    std::lock_guard<std::mutex> lock(mu());
    return policies_;
  }
  // Creates, patches and deletes that succeeded.
  int alert_policy_writes() {
    std::lock_guard<std::mutex> lock(mu());
    return policy_writes_;
  }
  // A policy made elsewhere (the console, Terraform); returns its name.
  std::string AddAlertPolicy(const std::string& project, json policy) {
    std::lock_guard<std::mutex> lock(mu());
    const std::string name = NewPolicyName(project);
    policy["name"] = name;
    policies_[name] = std::move(policy);
    return name;
  }
  void AddNotificationChannel(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu());
    channels_.insert(name);
  }
  void set_alert_policy_page_size(size_t n) {
    std::lock_guard<std::mutex> lock(mu());
    page_size_ = n;
  }

 private:
  static constexpr const char* kAlertPolicy = "google.monitoring.v3.AlertPolicy";

  std::string NewPolicyName(const std::string& project) {
    return "projects/" + project + "/alertPolicies/" + std::to_string(++last_policy_id_);
  }

  // Google's label rule: keys start with a letter; keys and values are at
  // most 63 characters of lower-case letters, digits, '_' and '-'.
  static bool LabelText(const std::string& s, bool key) {
    if (s.size() > 63 || (key && (s.empty() || s[0] < 'a' || s[0] > 'z'))) return false;
    for (char c : s) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  // "" when the API would take `p`, else why not. Call with mu() held.
  std::string CheckPolicy(const json& p) {
    if (p.value("displayName", "").empty()) return "alert policy: displayName is required";
    const size_t n = p.contains("conditions") ? p["conditions"].size() : 0;
    if (n < 1 || n > 6) return "alert policy: 1 to 6 conditions, got " + std::to_string(n);
    if (p.contains("userLabels")) {
      for (const auto& [k, v] : p["userLabels"].items()) {
        if (!LabelText(k, true) || !LabelText(v.get<std::string>(), false)) {
          return "alert policy: user label " + k + "=" + v.dump() + " is not label text";
        }
      }
    }
    if (p.contains("notificationChannels")) {
      for (const json& c : p["notificationChannels"]) {
        if (!channels_.count(c.get<std::string>())) {
          return "notification channel " + c.get<std::string>() + " does not exist";
        }
      }
    }
    return "";
  }

  // Call with mu() held.
  static void NotFound(HttpResponse& w, const std::string& what) {
    w.status = 404;
    w.content_type = "application/json";
    w.body = json{{"error", {{"code", 404}, {"message", what}, {"status", "NOT_FOUND"}}}}.dump();
  }

  void ListPolicies(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    const std::string prefix = "projects/" + r.path_params.at("project") + "/alertPolicies/";
    size_t size = page_size_;
    if (auto it = r.query_params.find("pageSize"); it != r.query_params.end()) {
      size = std::min(size, static_cast<size_t>(std::stoul(it->second)));
    }
    // The token is the name to go on from.
    std::string from;
    if (auto it = r.query_params.find("pageToken"); it != r.query_params.end()) from = it->second;
    json page = {{"alertPolicies", json::array()}};
    for (auto it = policies_.lower_bound(from.empty() ? prefix : from);
         it != policies_.end() && it->first.starts_with(prefix); ++it) {
      if (page["alertPolicies"].size() == size) {
        page["nextPageToken"] = it->first;
        break;
      }
      page["alertPolicies"].push_back(it->second);
    }
    page["totalSize"] = policies_.size();
    w.body = page.dump();
  }

  void CreatePolicy(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    if (Status s = validator().Check(kAlertPolicy, r.body); !s.ok()) return Reject(w, s.message());
    json p = json::parse(r.body);
    if (p.contains("name")) return Reject(w, "alert policy: name is set by the API on create");
    if (std::string why = CheckPolicy(p); !why.empty()) return Reject(w, why);
    const std::string name = NewPolicyName(r.path_params.at("project"));
    p["name"] = name;
    p["enabled"] = p.value("enabled", true);
    for (size_t i = 0; i < p["conditions"].size(); ++i) {
      p["conditions"][i]["name"] = name + "/conditions/" + std::to_string(i + 1);
    }
    policies_[name] = p;
    ++policy_writes_;
    w.body = p.dump();
  }

  void PatchPolicy(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    const std::string name =
        "projects/" + r.path_params.at("project") + "/alertPolicies/" + r.path_params.at("id");
    auto it = policies_.find(name);
    if (it == policies_.end()) return NotFound(w, "alert policy " + name + " does not exist");
    if (Status s = validator().Check(kAlertPolicy, r.body); !s.ok()) return Reject(w, s.message());
    auto mask = r.query_params.find("updateMask");
    if (mask == r.query_params.end()) return Reject(w, "PATCH without an updateMask");
    if (Status s = validator().CheckFieldMask(kAlertPolicy, mask->second); !s.ok()) {
      return Reject(w, s.message());
    }
    const json body = json::parse(r.body);
    if (body.value("name", name) != name) return Reject(w, "the body names another policy");
    json p = it->second;
    size_t start = 0;
    const std::string& paths = mask->second;
    while (start <= paths.size()) {
      const size_t end = std::min(paths.find(',', start), paths.size());
      const std::string field = paths.substr(start, end - start);
      if (body.contains(field)) {
        p[field] = body[field];
      } else {
        p.erase(field);
      }
      start = end + 1;
    }
    if (std::string why = CheckPolicy(p); !why.empty()) return Reject(w, why);
    it->second = p;
    ++policy_writes_;
    w.body = p.dump();
  }

  void DeletePolicy(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    const std::string name =
        "projects/" + r.path_params.at("project") + "/alertPolicies/" + r.path_params.at("id");
    if (policies_.erase(name) == 0) return NotFound(w, "alert policy " + name + " does not exist");
    ++policy_writes_;
    w.body = "{}";
  }

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
    projects_.insert(r.path_params.at("project"));
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
    projects_.insert(r.path_params.at("project"));
    w.body = "{}";
  }

  std::map<std::string, json> descriptors_;
  std::map<std::string, int64_t> last_end_;
  std::vector<json> series_;
  std::set<std::string> projects_;
  std::map<std::string, json> policies_;
  std::set<std::string> channels_;
  int last_policy_id_ = 0;
  int policy_writes_ = 0;
  size_t page_size_ = 1000;
};

}  // namespace tai::testing

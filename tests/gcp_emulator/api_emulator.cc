#include "tests/gcp_emulator/api_emulator.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

namespace tai::testing {

std::string CheckMonitoredResource(const std::string& resource_json) {
  // The label sets from Google's monitored resource list.
  static const std::map<std::string, std::set<std::string>> kTypes = {
      {"generic_task", {"project_id", "location", "namespace", "job", "task_id"}},
      {"gce_instance", {"project_id", "instance_id", "zone"}},
      {"k8s_container",
       {"project_id", "location", "cluster_name", "namespace_name", "pod_name", "container_name"}}};
  const nlohmann::json r = nlohmann::json::parse(resource_json);
  auto type = kTypes.find(r.value("type", ""));
  if (type == kTypes.end()) return "unexpected resource type " + r.value("type", "");
  std::set<std::string> labels;
  for (const auto& [key, value] : r["labels"].items()) {
    if (value.get<std::string>().empty()) return type->first + " label " + key + " is empty";
    labels.insert(key);
  }
  if (labels != type->second) return "wrong labels for " + type->first + ": " + r["labels"].dump();
  return "";
}

ApiEmulator::ApiEmulator(const std::string& proto_file)
    : ApiEmulator(std::vector<std::string>{proto_file}) {}

ApiEmulator::ApiEmulator(const std::vector<std::string>& proto_files) {
  auto v = ProtoJsonValidator::Load(GoogleProtoRoot(), proto_files);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  if (v.ok()) validator_ = std::move(*v);
  server_.Use([this](const HttpRequest& r, HttpResponse& w, const HttpHandler& next) {
    Misbehave(r, w, next);
  });
}

void ApiEmulator::set_faults(const FaultPlan& plan) {
  std::lock_guard<std::mutex> lock(faults_mu_);
  plan_ = plan;
  rng_state_ = plan.seed | 1;
}

FaultCounts ApiEmulator::faults() {
  std::lock_guard<std::mutex> lock(faults_mu_);
  return counts_;
}

void ApiEmulator::Misbehave(const HttpRequest& r, HttpResponse& w, const HttpHandler& next) {
  enum { kNone, kUnavailable, kThrottled, kLostAnswer, kSlow } fault = kNone;
  std::chrono::milliseconds slow;
  {
    std::lock_guard<std::mutex> lock(faults_mu_);
    // xorshift64: the same seed gives the same faults.
    rng_state_ ^= rng_state_ << 13;
    rng_state_ ^= rng_state_ >> 7;
    rng_state_ ^= rng_state_ << 17;
    const double u = static_cast<double>(rng_state_ >> 11) / 9007199254740992.0;
    if (plan_.outage) {
      fault = kUnavailable;
    } else if (u < plan_.failure_rate) {
      fault = static_cast<decltype(fault)>(1 + static_cast<int>(u / plan_.failure_rate * 4));
    }
    slow = plan_.slow;
    if (fault == kUnavailable) ++counts_.unavailable;
    if (fault == kThrottled) ++counts_.throttled;
    if (fault == kLostAnswer) ++counts_.lost_answers;
    if (fault == kSlow) ++counts_.slow;
  }
  w.content_type = "application/json";
  switch (fault) {
    case kUnavailable:
      w.status = 503;
      w.body = R"({"error":{"code":503,"message":"injected","status":"UNAVAILABLE"}})";
      return;
    case kThrottled:
      w.status = 429;
      w.SetHeader("Retry-After", "1");
      w.body = R"({"error":{"code":429,"message":"injected","status":"RESOURCE_EXHAUSTED"}})";
      return;
    case kLostAnswer:
      next(r, w);
      w.status = 500;
      w.body = R"({"error":{"code":500,"message":"injected","status":"INTERNAL"}})";
      return;
    case kSlow:
      std::this_thread::sleep_for(slow);
      break;
    case kNone:
      break;
  }
  next(r, w);
}

void ApiEmulator::Start() { EXPECT_TRUE(server_.Start().ok()); }

std::vector<std::string> ApiEmulator::problems() {
  std::lock_guard<std::mutex> lock(mu_);
  return problems_;
}

void ApiEmulator::Reject(HttpResponse& w, const std::string& why) {
  problems_.push_back(why);
  w.status = 400;
  w.content_type = "application/json";
  w.body =
      nlohmann::json{{"error", {{"code", 400}, {"message", why}, {"status", "INVALID_ARGUMENT"}}}}
          .dump();
}

}  // namespace tai::testing

// Test support: the shared part of the Google Cloud API emulators. Each
// API's emulator registers its routes on server(), checks request bodies
// with validator() against Google's .proto files, and answers rule
// violations with Reject(), which records them for the test to assert on.
//
// On request it also misbehaves as a real API does at times (set_faults):
// a share of requests answered 503 or 429 with Retry-After before they are
// looked at, 500 after they were processed (the client cannot know that
// they were), or answered slowly.
//
// Handlers run on the server's threads; the emulators guard their state
// with mu(). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tai/web/http_server.h"
#include "tests/gcp_emulator/proto_json_validator.h"

namespace tai::testing {

// "" when `resource` (a MonitoredResource as JSON) is of a type we send
// (generic_task, gce_instance, k8s_container) with exactly the labels the
// type requires, else what is wrong.
std::string CheckMonitoredResource(const std::string& resource_json);

struct FaultPlan {
  // Every request answered 503 before it is looked at (an outage), whatever
  // failure_rate says.
  bool outage = false;
  double failure_rate = 0;  // share of requests that get one of the faults
  uint64_t seed = 1;
  std::chrono::milliseconds slow{2'000};  // how late a slow answer comes
};

// How many faults of each kind were injected.
struct FaultCounts {
  uint64_t unavailable = 0;   // 503 before processing
  uint64_t throttled = 0;     // 429 + Retry-After before processing
  uint64_t lost_answers = 0;  // processed, then answered 500
  uint64_t slow = 0;          // processed, answered late
};

class ApiEmulator {
 public:
  // Loads `proto_file` from Google's set; a failure fails the test.
  explicit ApiEmulator(const std::string& proto_file);
  explicit ApiEmulator(const std::vector<std::string>& proto_files);
  virtual ~ApiEmulator() = default;

  std::string url() const { return server_.url(); }
  // Every request refused so far, with the reason.
  std::vector<std::string> problems();
  void set_faults(const FaultPlan& plan);
  FaultCounts faults();

 protected:
  // Call after registering routes.
  void Start();
  // Call first in the destructor of an emulator with state: it waits for the
  // handlers that run, so none reads the state while it is destroyed.
  void StopServing() { server_.Stop(); }
  HttpServer& server() { return server_; }
  const ProtoJsonValidator& validator() const { return *validator_; }
  std::mutex& mu() { return mu_; }
  // Answers 400 INVALID_ARGUMENT with `why`, as Google's APIs do. Call with
  // mu() held.
  void Reject(HttpResponse& w, const std::string& why);

 private:
  void Misbehave(const HttpRequest& r, HttpResponse& w, const HttpHandler& next);

  std::unique_ptr<ProtoJsonValidator> validator_;
  HttpServer server_;
  std::mutex mu_;
  std::vector<std::string> problems_;
  std::mutex faults_mu_;  // not mu(): a slow answer must not hold the handlers
  FaultPlan plan_;
  uint64_t rng_state_ = 1;
  FaultCounts counts_;
};

}  // namespace tai::testing

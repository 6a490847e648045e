// Test support: Cloud Profiler v2 on loopback. Checks every request body
// against Google's profiler.proto (unknown fields rejected) and the API's
// documented rules: deployment present and matching the URL's project,
// project id, target and label rules, a patch only for a profile it handed
// out and not yet patched, of the type it asked for, profileBytes that are
// gzip-compressed pprof (decoded with tai::DecodePprof).
//
// profiles.create answers follow a script: ask for a profile type for a
// duration, or fail (409 ABORTED with a google.rpc.RetryInfo retryDelay,
// 429/503 with Retry-After), each after holding the long poll open for a
// while, as the real server does. Once the script is used up, creates are
// held until the emulator is destroyed. Every request is recorded with its
// arrival and answer times (steady clock).
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tai/gcp/credentials.h"
#include "tai/profile/profile.h"
#include "tests/gcp_emulator/api_emulator.h"

namespace tai::testing {

class ProfilerEmulator : public ApiEmulator {
 public:
  using Clock = std::chrono::steady_clock;

  struct Step {
    std::string profile_type;  // "CPU"...; empty: answer with the error below
    std::string duration = "10s";
    int http_status = 200;
    std::string retry_delay;  // google.rpc.RetryInfo in error.details
    std::string retry_after;  // Retry-After header
    std::chrono::milliseconds hold{0};
  };
  static Step Ask(std::string type, std::string duration, std::chrono::milliseconds hold);
  static Step Abort(std::string retry_delay, std::chrono::milliseconds hold);
  static Step Fail(int http_status, std::string retry_after);
  // 200 with a body that is not a Profile (a proxy's page).
  static Step NotAProfile();

  struct Event {
    std::string method;  // "create", "patch", "offline"
    Clock::time_point arrived;
    Clock::time_point answered;
    int status = 0;            // what the emulator answered
    std::string profile_name;  // handed out (create) or patched
    std::string profile_type;
    nlohmann::json body;
    Profile decoded;  // patch, offline: profileBytes decoded
  };

  ProfilerEmulator();
  ~ProfilerEmulator() override;

  gcp::GcpEndpoints Endpoints() const;
  void Script(std::vector<Step> steps);
  // The next `n` patches fail with `http_status` and Retry-After.
  void FailPatches(int n, int http_status, std::string retry_after);
  std::vector<Event> events();
  // Waits until at least `n` events are recorded (answered); false on timeout.
  bool WaitForEvents(size_t n, std::chrono::milliseconds timeout);
  // The bodies of the creates that have arrived, answered or not.
  std::vector<nlohmann::json> create_bodies();
  // Waits until at least `n` creates have arrived, answered or not.
  bool WaitForCreates(size_t n, std::chrono::milliseconds timeout);
  // When each create arrived, answered or not.
  std::vector<Clock::time_point> create_arrivals();

 private:
  void CreateProfile(const HttpRequest& r, HttpResponse& w);
  void PatchProfile(const HttpRequest& r, HttpResponse& w);
  void CreateOffline(const HttpRequest& r, HttpResponse& w);
  // Held with mu(): records the event and wakes waiters.
  void Record(Event e);
  // Held with mu(): the deployment rules; "" when they hold.
  std::string CheckDeployment(const nlohmann::json& deployment, const std::string& project);
  // Held with mu(): a Profile body's deployment, labels and bytes; "" when
  // they pass (e.decoded then holds the profile).
  std::string CheckProfileBody(const std::string& project, Event& e);
  // Held with mu(): answers 400 with `why`, or 200 with the profile minus
  // its input-only fields; records the event.
  void Finish(HttpResponse& w, Event e, const std::string& why);
  // Held with mu(): profileBytes present, gzip, pprof.
  std::string DecodeBytes(const nlohmann::json& profile, Profile* out);
  // Waits `d` or until the emulator shuts down.
  void Hold(std::chrono::milliseconds d);

  std::condition_variable changed_;
  bool shutting_down_ = false;
  std::deque<Step> script_;
  int failing_patches_ = 0;
  int failing_status_ = 0;
  std::string failing_retry_after_;
  uint64_t next_id_ = 1;
  std::vector<nlohmann::json> create_bodies_;
  std::vector<Clock::time_point> create_arrivals_;
  std::map<std::string, std::string> outstanding_;  // name -> type, until patched
  std::vector<Event> events_;
};

}  // namespace tai::testing

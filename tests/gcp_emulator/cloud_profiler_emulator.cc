#include "tests/gcp_emulator/cloud_profiler_emulator.h"

#include <regex>

#include "core/base64.h"
#include "tai/profile/pprof.h"

namespace tai::testing {

using nlohmann::json;

namespace {

constexpr const char* kProto = "google/devtools/cloudprofiler/v2/profiler.proto";
constexpr const char* kPackage = "google.devtools.cloudprofiler.v2.";

void AnswerJson(HttpResponse& w, int status, json body) {
  w.status = status;
  w.content_type = "application/json";
  w.body = body.dump();
}

json ErrorBody(int code, const std::string& status, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}, {"status", status}}}};
}

// The API's label rules (profiler.proto, Deployment.labels).
std::string CheckLabels(const json& labels, const std::string& what) {
  if (labels.is_null()) return "";
  static const std::regex kName("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  size_t total = 0;
  for (const auto& [name, value] : labels.items()) {
    if (!std::regex_match(name, kName)) return what + ": bad label name '" + name + "'";
    const std::string v = value.get<std::string>();
    if (v.size() > 512) return what + ": label '" + name + "' over 512 bytes";
    total += name.size() + v.size();
  }
  if (total > 1024) return what + ": labels over 1024 bytes in all";
  return "";
}

}  // namespace

ProfilerEmulator::Step ProfilerEmulator::Ask(std::string type, std::string duration,
                                             std::chrono::milliseconds hold) {
  return {.profile_type = std::move(type), .duration = std::move(duration), .hold = hold};
}

ProfilerEmulator::Step ProfilerEmulator::Abort(std::string retry_delay,
                                               std::chrono::milliseconds hold) {
  return {.http_status = 409, .retry_delay = std::move(retry_delay), .hold = hold};
}

ProfilerEmulator::Step ProfilerEmulator::Fail(int http_status, std::string retry_after) {
  return {.http_status = http_status, .retry_after = std::move(retry_after)};
}

ProfilerEmulator::Step ProfilerEmulator::NotAProfile() { return {.http_status = 200}; }

ProfilerEmulator::ProfilerEmulator() : ApiEmulator(kProto) {
  server().Handle("POST", "/v2/projects/:project/profiles",
                  [this](const HttpRequest& r, HttpResponse& w) { CreateProfile(r, w); });
  server().Handle("PATCH", "/v2/projects/:project/profiles/:id",
                  [this](const HttpRequest& r, HttpResponse& w) { PatchProfile(r, w); });
  server().Handle("POST", "/v2/projects/:project/profiles:createOffline",
                  [this](const HttpRequest& r, HttpResponse& w) { CreateOffline(r, w); });
  Start();
}

ProfilerEmulator::~ProfilerEmulator() {
  {
    std::lock_guard<std::mutex> lock(mu());
    shutting_down_ = true;
  }
  changed_.notify_all();
  // Held handlers now finish; they use this class's members, so the server
  // must wait for them before those go (the base class stops it too late).
  server().Stop();
}

gcp::GcpEndpoints ProfilerEmulator::Endpoints() const {
  gcp::GcpEndpoints e;
  e.profiler = url();
  return e;
}

void ProfilerEmulator::Script(std::vector<Step> steps) {
  std::lock_guard<std::mutex> lock(mu());
  script_.assign(steps.begin(), steps.end());
}

void ProfilerEmulator::FailPatches(int n, int http_status, std::string retry_after) {
  std::lock_guard<std::mutex> lock(mu());
  failing_patches_ = n;
  failing_status_ = http_status;
  failing_retry_after_ = std::move(retry_after);
}

std::vector<ProfilerEmulator::Event> ProfilerEmulator::events() {
  std::lock_guard<std::mutex> lock(mu());
  return events_;
}

bool ProfilerEmulator::WaitForEvents(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu());
  return changed_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
}

bool ProfilerEmulator::WaitForCreates(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu());
  return changed_.wait_for(lock, timeout, [&] { return create_bodies_.size() >= n; });
}

std::vector<ProfilerEmulator::Clock::time_point> ProfilerEmulator::create_arrivals() {
  std::lock_guard<std::mutex> lock(mu());
  return create_arrivals_;
}

std::vector<json> ProfilerEmulator::create_bodies() {
  std::lock_guard<std::mutex> lock(mu());
  return create_bodies_;
}

void ProfilerEmulator::Record(Event e) {
  e.answered = Clock::now();
  events_.push_back(std::move(e));
  changed_.notify_all();
}

void ProfilerEmulator::Hold(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu());
  changed_.wait_for(lock, d, [&] { return shutting_down_; });
}

std::string ProfilerEmulator::CheckDeployment(const json& d, const std::string& project) {
  if (!d.is_object()) return "deployment is required";
  static const std::regex kProject("[a-z][-a-z0-9:.]{4,61}[a-z0-9]");
  static const std::regex kTarget("[a-z0-9]([-a-z0-9_.]{0,253}[a-z0-9])?");
  const std::string project_id = d.value("projectId", "");
  const std::string target = d.value("target", "");
  if (project_id != project) return "deployment.projectId '" + project_id + "' is not " + project;
  if (!std::regex_match(project_id, kProject)) return "bad deployment.projectId " + project_id;
  if (!std::regex_match(target, kTarget)) return "bad deployment.target '" + target + "'";
  return CheckLabels(d.value("labels", json()), "deployment.labels");
}

std::string ProfilerEmulator::DecodeBytes(const json& profile, Profile* out) {
  auto raw = internal::Base64Decode(profile.value("profileBytes", ""));
  if (!raw || raw->empty()) return "profileBytes missing or not base64";
  if (raw->size() < 2 || (*raw)[0] != '\x1f' || (*raw)[1] != '\x8b') {
    return "profileBytes are not gzip-compressed";
  }
  Result<Profile> p = DecodePprof(*raw);
  if (!p.ok()) return "profileBytes are not pprof: " + p.status().message();
  *out = std::move(*p);
  return "";
}

void ProfilerEmulator::CreateProfile(const HttpRequest& r, HttpResponse& w) {
  Event e{.method = "create", .arrived = Clock::now()};
  Step step;
  {
    std::lock_guard<std::mutex> lock(mu());
    e.body = json::parse(r.body, nullptr, false);
    create_bodies_.push_back(e.body);
    create_arrivals_.push_back(e.arrived);
    changed_.notify_all();
    Status s = validator().Check(std::string(kPackage) + "CreateProfileRequest", r.body);
    std::string why =
        s.ok() ? CheckDeployment(e.body.value("deployment", json()), r.path_params.at("project"))
               : s.message();
    if (why.empty() && e.body.value("profileType", json::array()).empty()) {
      why = "profileType lists no type";
    }
    if (!why.empty()) {
      Reject(w, why);
      e.status = 400;
      return Record(std::move(e));
    }
    if (script_.empty()) {
      step = Abort("60s", std::chrono::hours(1));
    } else {
      step = script_.front();
      script_.pop_front();
    }
  }
  Hold(step.hold);
  std::lock_guard<std::mutex> lock(mu());
  e.status = step.http_status;
  if (!step.profile_type.empty()) {
    e.profile_name =
        "projects/" + r.path_params.at("project") + "/profiles/p" + std::to_string(next_id_++);
    e.profile_type = step.profile_type;
    outstanding_[e.profile_name] = step.profile_type;
    AnswerJson(w, 200,
               {{"name", e.profile_name},
                {"profileType", step.profile_type},
                {"deployment", e.body["deployment"]},
                {"duration", step.duration}});
  } else if (step.http_status == 200) {
    w.content_type = "text/html";
    w.body = "<html>Sign in to continue</html>";
  } else if (step.http_status == 409) {
    json error = ErrorBody(409, "ABORTED",
                           "generic::aborted: action throttled, backoff for " + step.retry_delay);
    error["error"]["details"] = {
        {{"@type", "type.googleapis.com/google.rpc.RetryInfo"}, {"retryDelay", step.retry_delay}}};
    AnswerJson(w, 409, error);
  } else {
    if (!step.retry_after.empty()) w.SetHeader("Retry-After", step.retry_after);
    AnswerJson(w, step.http_status, ErrorBody(step.http_status, "UNAVAILABLE", "try again"));
  }
  Record(std::move(e));
}

void ProfilerEmulator::PatchProfile(const HttpRequest& r, HttpResponse& w) {
  std::lock_guard<std::mutex> lock(mu());
  Event e{.method = "patch", .arrived = Clock::now()};
  e.profile_name =
      "projects/" + r.path_params.at("project") + "/profiles/" + r.path_params.at("id");
  e.body = json::parse(r.body, nullptr, false);
  e.profile_type = e.body.is_object() ? e.body.value("profileType", "") : "";
  if (failing_patches_ > 0) {
    --failing_patches_;
    if (!failing_retry_after_.empty()) w.SetHeader("Retry-After", failing_retry_after_);
    AnswerJson(w, failing_status_, ErrorBody(failing_status_, "UNAVAILABLE", "try again"));
    e.status = failing_status_;
    return Record(std::move(e));
  }
  Status s = validator().Check(std::string(kPackage) + "Profile", r.body);
  std::string why = s.ok() ? "" : s.message();
  auto handed = outstanding_.find(e.profile_name);
  if (why.empty() && handed == outstanding_.end()) {
    why = "patch of " + e.profile_name + ", which was not handed out or is patched already";
  }
  if (why.empty() && e.body.value("name", "") != e.profile_name) why = "name differs from the URL";
  if (why.empty() && e.profile_type != handed->second) {
    why = "profileType " + e.profile_type + " but " + handed->second + " was asked for";
  }
  if (why.empty()) why = CheckProfileBody(r.path_params.at("project"), e);
  if (why.empty()) outstanding_.erase(handed);
  Finish(w, std::move(e), why);
}

void ProfilerEmulator::CreateOffline(const HttpRequest& r, HttpResponse& w) {
  std::lock_guard<std::mutex> lock(mu());
  Event e{.method = "offline", .arrived = Clock::now()};
  e.body = json::parse(r.body, nullptr, false);
  Status s = validator().Check(std::string(kPackage) + "Profile", r.body);
  std::string why = s.ok() ? "" : s.message();
  if (why.empty() && e.body.contains("name")) why = "name is output only";
  e.profile_type = why.empty() ? e.body.value("profileType", "") : "";
  if (why.empty() && e.profile_type.empty()) why = "profileType is required offline";
  if (why.empty() && !e.body.contains("duration")) why = "duration is required offline";
  if (why.empty()) why = CheckProfileBody(r.path_params.at("project"), e);
  if (why.empty()) {
    e.profile_name =
        "projects/" + r.path_params.at("project") + "/profiles/o" + std::to_string(next_id_++);
  }
  Finish(w, std::move(e), why);
}

std::string ProfilerEmulator::CheckProfileBody(const std::string& project, Event& e) {
  std::string why = CheckDeployment(e.body.value("deployment", json()), project);
  if (why.empty()) why = CheckLabels(e.body.value("labels", json()), "labels");
  if (why.empty()) why = DecodeBytes(e.body, &e.decoded);
  return why;
}

void ProfilerEmulator::Finish(HttpResponse& w, Event e, const std::string& why) {
  if (!why.empty()) {
    Reject(w, why);
    e.status = 400;
    return Record(std::move(e));
  }
  json answer = e.body;
  answer.erase("profileBytes");  // input only
  answer.erase("labels");
  answer["name"] = e.profile_name;
  AnswerJson(w, 200, answer);
  e.status = 200;
  Record(std::move(e));
}

}  // namespace tai::testing

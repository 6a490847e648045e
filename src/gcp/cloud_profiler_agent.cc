#include "tai/gcp/cloud_profiler_agent.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/thread_name.h"
#include "gcp/api_client.h"
#include "gcp/profiler_api.h"
#include "tai/core/ids.h"
#include "tai/core/parse.h"
#include "tai/profile/pprof.h"
#include "tai/profile/thread_profile.h"

namespace tai::gcp {

using std::chrono::milliseconds;

namespace {

std::vector<ProfileKind> DefaultProfileTypes() {
  std::vector<ProfileKind> kinds = {ProfileKind::kCpu, ProfileKind::kWall};
  if (HeapProfiler::HooksLinked()) kinds.push_back(ProfileKind::kHeap);
  kinds.push_back(ProfileKind::kThreads);
  return kinds;
}

internal::ProfilerDeployment MakeDeployment(const CloudProfilerAgentOptions& o) {
  internal::ProfilerDeployment d{.project_id = o.api.project_id, .target = o.target};
  d.labels = o.labels;
  d.labels.emplace("language", "cpp");
  if (!o.version.empty()) d.labels["version"] = o.version;
  if (!o.zone.empty()) d.labels["zone"] = o.zone;
  return d;
}

bool Offers(const CloudProfilerAgentOptions& o, ProfileKind kind) {
  return std::find(o.profile_types.begin(), o.profile_types.end(), kind) != o.profile_types.end();
}

std::string CreateRequestJson(const CloudProfilerAgentOptions& o) {
  std::string out = "{\"deployment\":";
  MakeDeployment(o).AppendJson(out);
  out += ",\"profileType\":[";
  for (size_t i = 0; i < o.profile_types.size(); ++i) {
    if (i) out += ',';
    out += '"';
    out += ProfileKindName(o.profile_types[i]);
    out += '"';
  }
  out += "]}";
  return out;
}

}  // namespace

Status CloudProfilerAgentOptions::Validate() const {
  TAI_RETURN_IF_ERROR(api.Validate("Cloud Profiler"));
  TAI_RETURN_IF_ERROR(MakeDeployment(*this).Validate());
  if (!instance.empty()) {
    TAI_RETURN_IF_ERROR(
        internal::ValidateProfilerLabels({{"instance", instance}}, "Cloud Profiler instance"));
  }
  for (size_t i = 0; i < profile_types.size(); ++i) {
    if (std::count(profile_types.begin(), profile_types.end(), profile_types[i]) > 1) {
      return InvalidArgumentError("Cloud Profiler: profile type " +
                                  std::string(ProfileKindName(profile_types[i])) +
                                  " is listed twice");
    }
  }
  if (cpu_hz < 1 || cpu_hz > 10'000) {
    return InvalidArgumentError("Cloud Profiler: cpu_hz " + std::to_string(cpu_hz) +
                                " is outside 1..10000");
  }
  const std::pair<const char*, milliseconds> positive[] = {
      {"create_timeout", create_timeout},     {"initial_backoff", initial_backoff},
      {"max_backoff", max_backoff},           {"max_server_delay", max_server_delay},
      {"default_duration", default_duration}, {"max_duration", max_duration}};
  for (const auto& [name, value] : positive) {
    if (value.count() <= 0) {
      return InvalidArgumentError(std::string("Cloud Profiler: ") + name + " must be positive");
    }
  }
  if (max_backoff < initial_backoff || backoff_multiplier < 1.0) {
    return InvalidArgumentError(
        "Cloud Profiler: backoff must grow (max_backoff >= initial_backoff, multiplier >= 1)");
  }
  return Status::Ok();
}

// What profiles.create handed out: the server's Profile, kept as it came so
// that the patch sends it back with the bytes added.
struct CloudProfilerAgent::Created {
  std::string name;
  ProfileKind kind = ProfileKind::kCpu;
  milliseconds duration{0};
  nlohmann::json resource;
};

Result<std::unique_ptr<CloudProfilerAgent>> CloudProfilerAgent::Create(
    CloudProfilerAgentOptions options) {
  if (options.profile_types.empty()) options.profile_types = DefaultProfileTypes();
  TAI_RETURN_IF_ERROR(options.Validate());
  if (Offers(options, ProfileKind::kHeap) && !HeapProfiler::HooksLinked()) {
    return FailedPreconditionError(
        "Cloud Profiler: HEAP is offered but the heap hooks are not linked in (link "
        "tai::heap_hooks, or leave HEAP out)");
  }
  return std::unique_ptr<CloudProfilerAgent>(new CloudProfilerAgent(std::move(options)));
}

CloudProfilerAgent::CloudProfilerAgent(CloudProfilerAgentOptions options)
    : options_(std::move(options)),
      create_body_(CreateRequestJson(options_)),
      client_(std::make_unique<internal::GcpApiClient>(options_.api, "Cloud Profiler")),
      backoff_envelope_(options_.initial_backoff) {}

CloudProfilerAgent::~CloudProfilerAgent() { Stop(); }

Status CloudProfilerAgent::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) {
    return FailedPreconditionError("Cloud Profiler agent: already started");
  }
  if (Offers(options_, ProfileKind::kHeap)) {
    // Only allocations made while the heap profiler runs are seen, so it
    // runs for the agent's whole life; one started by someone else serves
    // as well.
    Status s = HeapProfiler::Start(options_.heap);
    started_heap_ = s.ok();
    if (!s.ok() && !HeapProfiler::running()) return s.WithContext("Cloud Profiler agent");
  }
  thread_ = std::thread([this] {
    internal::NameThisThread("tai-cprof-agent");
    Run();
  });
  return Status::Ok();
}

void CloudProfilerAgent::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cancel_.store(true);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (started_heap_) {
    (void)HeapProfiler::Stop();
    started_heap_ = false;
  }
}

CloudProfilerAgentStats CloudProfilerAgent::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool CloudProfilerAgent::WaitFor(milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !wake_.wait_for(lock, d, [&] { return stopping_; });
}

void CloudProfilerAgent::NoteError(uint64_t CloudProfilerAgentStats::*counter,
                                   const Status& error) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(stats_.*counter);
  stats_.last_error = error.ToString();
}

void CloudProfilerAgent::Run() {
  while (!cancel_.load()) {
    Result<Created> created = CreateProfile();
    if (!created.ok() || cancel_.load()) continue;
    Result<Profile> profile = Collect(created->kind, created->duration);
    if (!profile.ok() || cancel_.load()) continue;
    Status s = Upload(*created, *profile);
    std::lock_guard<std::mutex> lock(mu_);
    if (s.ok()) {
      ++stats_.uploaded;
    } else {
      ++stats_.upload_errors;
      stats_.last_error = s.ToString();
    }
  }
}

void CloudProfilerAgent::Backoff(const Status& error, std::optional<milliseconds> server_delay) {
  milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.create_errors;
    stats_.last_error = error.ToString();
    if (server_delay) {
      ++stats_.server_backoffs;
      delay = std::min(*server_delay, options_.max_server_delay);
    } else {
      const int64_t envelope = backoff_envelope_.count();
      delay = milliseconds(
          envelope / 2 +
          static_cast<int64_t>(RandomU64() % static_cast<uint64_t>(envelope - envelope / 2 + 1)));
      backoff_envelope_ = std::min(options_.max_backoff,
                                   milliseconds(static_cast<int64_t>(static_cast<double>(envelope) *
                                                                     options_.backoff_multiplier)));
    }
    stats_.last_backoff = delay;
  }
  WaitFor(delay);
}

Result<CloudProfilerAgent::Created> CloudProfilerAgent::CreateProfile() {
  const std::string url =
      options_.api.endpoints.profiler + "/v2/projects/" + options_.api.project_id + "/profiles";
  auto response =
      client_->Call("POST", url, create_body_,
                    {.timeout = options_.create_timeout, .max_attempts = 1, .cancel = &cancel_});
  if (!response.ok()) {
    if (response.status().code() != StatusCode::kCancelled) Backoff(response.status(), {});
    return response.status();
  }
  if (!response->ok()) {
    Status s = response->ToStatus(client_->api_name() + " profiles.create");
    Backoff(s, response->retry_delay);
    return s;
  }
  Created c;
  c.resource = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  const auto text = [&](const char* key) {
    const nlohmann::json& v =
        c.resource.is_object() ? c.resource.value(key, nlohmann::json()) : nlohmann::json();
    return v.is_string() ? v.get<std::string>() : std::string();
  };
  c.name = text("name");
  Result<ProfileKind> kind = ParseProfileKind(text("profileType"));
  if (!c.name.starts_with("projects/")) {
    // Not the API talking (a proxy's page, say): back off as after a failure
    // rather than ask again at once.
    Status bad = InternalError("profiles.create answered 200 without a profile name: " +
                               response->body.substr(0, 200));
    Backoff(bad, {});
    return bad;
  }
  if (!kind.ok() || !Offers(options_, *kind)) {
    // The API's own answer: its pacing holds for the next create.
    Status bad = InternalError("profiles.create asked for profile type '" + text("profileType") +
                               "', which this agent does not offer");
    NoteError(&CloudProfilerAgentStats::collection_errors, bad);
    return bad;
  }
  c.kind = *kind;
  c.duration = options_.default_duration;
  if (auto d = ParseDuration(text("duration")); d.ok() && d->count() > 0) c.duration = *d;
  c.duration = std::min(c.duration, options_.max_duration);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.creates;
  backoff_envelope_ = options_.initial_backoff;
  return c;
}

Result<Profile> CloudProfilerAgent::CollectCpu(ProfileClock clock, milliseconds duration) {
  Status s = cpu_.Start({.hz = options_.cpu_hz, .clock = clock, .shared = true});
  if (s.code() == StatusCode::kAlreadyExists) {
    NoteError(
        &CloudProfilerAgentStats::skipped_busy,
        s.WithContext("Cloud Profiler: skipped, another CPU profile runs that it cannot share"));
    return s;
  }
  if (!s.ok()) {
    NoteError(&CloudProfilerAgentStats::collection_errors, s);
    return s;
  }
  const bool completed = WaitFor(duration);
  Result<Profile> p = cpu_.Stop();
  if (!completed) return Status(StatusCode::kCancelled, "Cloud Profiler agent stopped");
  return p;
}

Result<Profile> CloudProfilerAgent::Collect(ProfileKind kind, milliseconds duration) {
  Result<Profile> p = InternalError("unknown profile kind");
  switch (kind) {
    case ProfileKind::kCpu:
    case ProfileKind::kWall:
      p = CollectCpu(kind == ProfileKind::kCpu ? ProfileClock::kCpu : ProfileClock::kWall,
                     duration);
      if (!p.ok()) return p;  // counted by CollectCpu
      break;
    case ProfileKind::kHeap:
      p = HeapProfiler::running()
              ? HeapProfiler::Snapshot()
              : Result<Profile>(FailedPreconditionError("the heap profiler is not running"));
      break;
    case ProfileKind::kThreads: {
      auto threads = CaptureThreadProfile({.stacks = true});
      p = threads.ok() ? Result<Profile>(ThreadProfileToPprof(*threads))
                       : Result<Profile>(threads.status());
      break;
    }
  }
  if (!p.ok()) {
    NoteError(
        &CloudProfilerAgentStats::collection_errors,
        p.status().WithContext("Cloud Profiler: collecting " + std::string(ProfileKindName(kind))));
    return p;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.collected[static_cast<int>(kind)];
  return p;
}

Status CloudProfilerAgent::Upload(const Created& created, const Profile& profile) {
  nlohmann::json body = created.resource;
  body["profileBytes"] = internal::Base64Encode(EncodePprof(profile));
  if (!options_.instance.empty()) body["labels"] = {{"instance", options_.instance}};
  const std::string url = options_.api.endpoints.profiler + "/v2/" + created.name;
  TAI_ASSIGN_OR_RETURN(auto response,
                       client_->Call("PATCH", url, body.dump(),
                                     {.cancel = &cancel_,
                                      .sleep_for = [this](milliseconds d) { return WaitFor(d); }}));
  return response.ToStatus(client_->api_name() + " profiles.patch");
}

}  // namespace tai::gcp

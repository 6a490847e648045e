#include "compat/design_pipeline.h"

#include <cstdlib>
#include <span>
#include <string_view>
#include <utility>

#include "tai/gcp/cloud_profiler_sink.h"
#include "tai/log/log.h"
#include "tai/store/store_sinks.h"

namespace tai::internal {
namespace {

// Guards the current pipeline, and is held while one is destroyed, so that
// the next Acquire waits for the last one to have flushed and let go of
// the store's file.
std::mutex g_mu;

std::weak_ptr<DesignPipeline>& Current() {
  static auto* current = new std::weak_ptr<DesignPipeline>();
  return *current;
}

bool IsSet(const char* v) { return v != nullptr && *v != '\0'; }

// The environment as Config::FromEnv reads it for the design's objects:
// GOOGLE_CLOUD_PROJECT is the objects' project, and what the objects did
// not ask for is off unless the environment asks for it.
Result<Config> DesignConfig(const std::string& project, const Config::EnvLookup& env) {
  const bool gcp_credentials =
      IsSet(env("GOOGLE_CLOUD_PROJECT")) && IsSet(env("GOOGLE_APPLICATION_CREDENTIALS"));
  return Config::FromEnv([&](const char* name) -> const char* {
    const std::string_view n(name);
    if (n == "GOOGLE_CLOUD_PROJECT") return project.c_str();
    const char* v = env(name);
    if (IsSet(v)) return v;
    if (n == "TAI_PROMETHEUS_ADDR") return "off";
    if (n == "TAI_PROCESS_METRICS") return "false";
    if (n == "TAI_GCP_EXPORT" && gcp_credentials) return "true";
    return v;
  });
}

}  // namespace

Result<std::shared_ptr<DesignPipeline>> DesignPipeline::Acquire(const std::string& project) {
  const Config::EnvLookup env = [](const char* name) -> const char* { return std::getenv(name); };
  if (project.empty()) {
    return InvalidArgumentError(
        "the project is empty: name the Google Cloud project the data "
        "belongs to");
  }
  if (const char* configured = env("GOOGLE_CLOUD_PROJECT");
      IsSet(configured) && project != configured) {
    return InvalidArgumentError("project '" + project + "' is not GOOGLE_CLOUD_PROJECT '" +
                                configured +
                                "': the data would go to one of them; make them the same");
  }
  // Declared before the lock: a pipeline let go of here is destroyed after
  // the lock is released (its deleter takes the lock).
  std::shared_ptr<DesignPipeline> pipeline;
  std::lock_guard<std::mutex> lock(g_mu);
  pipeline = Current().lock();
  if (pipeline) {
    if (pipeline->project() == project) return pipeline;
    return FailedPreconditionError(
        "project '" + project + "': the design objects of this process " +
        "already send to project '" + pipeline->project() + "'; one process sends to one project");
  }
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(Config config, DesignConfig(project, env),
                                    "project '" + project + "'");
  // The pipeline's tracer serves TraceSpan unless the service installed its own.
  Tracer* installed = GlobalTracerSet() ? &GlobalTracer() : nullptr;
  auto obs = Observability::Start(std::move(config));
  if (installed != nullptr) SetGlobalTracer(installed);
  if (!obs.ok()) return obs.status().WithContext("project '" + project + "'");
  if (!(*obs)->config().gcp.enabled && !(*obs)->store()) {
    const Status& why = (*obs)->store_status();
    return FailedPreconditionError(
        "project '" + project +
        "': nowhere to send the data: Google Cloud export is off (set TAI_GCP_EXPORT=true, or "
        "GOOGLE_CLOUD_PROJECT and GOOGLE_APPLICATION_CREDENTIALS) and the embedded store " +
        (why.ok() ? std::string("is off (TAI_STORE)") : "could not open: " + why.ToString()));
  }
  pipeline.reset(new DesignPipeline(std::move(*obs)), [](DesignPipeline* p) {
    std::lock_guard<std::mutex> deleting(g_mu);
    delete p;
  });
  TAI_RETURN_IF_ERROR(pipeline->AddProfileDestinations().WithContext("project '" + project + "'"));
  pipeline->uploader_ = std::thread([p = pipeline.get()] { p->UploadLoop(); });
  Current() = pipeline;
  return pipeline;
}

DesignPipeline::DesignPipeline(std::unique_ptr<Observability> obs) : obs_(std::move(obs)) {}

DesignPipeline::~DesignPipeline() {
  (void)FlushProfiles(obs_->config().shutdown_deadline);
  std::deque<QueuedProfile> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    left.swap(queue_);
  }
  changed_.notify_all();
  for (QueuedProfile& q : left) {
    std::lock_guard<std::mutex> lock(q.counters->mu);
    ++q.counters->stats.dropped;
    q.counters->stats.last_error = "the process's design pipeline shut down before the upload";
  }
  if (uploader_.joinable()) uploader_.join();
  obs_->Shutdown();
}

std::string DesignPipeline::Destinations(std::string_view google_api) const {
  std::string out;
  if (exports_to_google_cloud()) out = std::string(google_api) + " of project " + project();
  if (obs_->store()) {
    if (!out.empty()) out += " and ";
    std::string path = obs_->config().store.options.path;
    if (path.empty()) path = DefaultStorePath(obs_->resource().service_name);
    out += "the embedded store " + path;
  }
  return out;
}

Status DesignPipeline::AddProfileDestinations() {
  const Resource& resource = obs_->resource();
  if (obs_->store()) {
    auto store = std::make_shared<StoreProfileSink>(obs_->store());
    destinations_.push_back([store, &resource](const UploadedProfile& p) {
      return store->Export(std::span<const UploadedProfile>(&p, 1), resource);
    });
  }
  if (obs_->gcp_api()) {
    TAI_ASSIGN_OR_RETURN(
        auto cloud,
        gcp::CloudProfilerSink::Create({.api = *obs_->gcp_api(), .zone = obs_->config().gcp.zone}));
    // Upload, not Export: the design's ids ("current") come back; each
    // finished profile is a new one.
    destinations_.push_back(
        [cloud, &resource](const UploadedProfile& p) { return cloud->Upload(p, resource); });
  }
  return Status::Ok();
}

void DesignPipeline::UploadProfile(UploadedProfile profile,
                                   std::shared_ptr<ProfileUploadCounters> counters) {
  {
    std::lock_guard<std::mutex> c(counters->mu);
    ++counters->stats.finished;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_ || queue_.size() >= kMaxQueuedProfiles) {
    const std::string why = "profile '" + profile.id +
                            "' dropped: " + std::to_string(kMaxQueuedProfiles) +
                            " profiles already wait for upload";
    {
      std::lock_guard<std::mutex> c(counters->mu);
      ++counters->stats.dropped;
      counters->stats.last_error = why;
    }
    TAI_LOG_RATE_LIMITED(obs_->logger("tai.profiling"), LogLevel::kWarn, 1,
                         "CloudProfiler: {} (counted in upload_stats())", why);
    return;
  }
  queue_.push_back({std::move(profile), std::move(counters)});
  changed_.notify_all();
}

bool DesignPipeline::FlushProfiles(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return queue_.empty() && in_flight_ == 0; });
}

void DesignPipeline::UploadLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;
    QueuedProfile q = std::move(queue_.front());
    queue_.pop_front();
    ++in_flight_;
    lock.unlock();
    Status result;
    for (const Destination& send : destinations_) {
      if (Status s = send(q.profile); !s.ok()) result = std::move(s);
    }
    {
      std::lock_guard<std::mutex> c(q.counters->mu);
      if (result.ok()) {
        ++q.counters->stats.delivered;
      } else {
        ++q.counters->stats.failed;
        q.counters->stats.last_error = result.ToString();
      }
    }
    if (!result.ok()) {
      TAI_LOG_RATE_LIMITED(obs_->logger("tai.profiling"), LogLevel::kWarn, 1,
                           "CloudProfiler: profile '{}' was not delivered: {} (counted in "
                           "upload_stats())",
                           q.profile.id, result.ToString());
    }
    lock.lock();
    --in_flight_;
    changed_.notify_all();
  }
}

}  // namespace tai::internal

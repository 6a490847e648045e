// DesignPipeline: where the standalone objects of the original design's API
// (gcp::CloudMonitoring(project), gcp::CloudTrace(project, rate),
// gcp::CloudProfiler(project, hz)) send their data. One per process, shared
// by every such object alive and shut down (flushed) when the last one goes;
// the next object starts a new one.
//
// It is a tai::Observability started from Config::FromEnv(), so the objects
// use the same exporters, delivery queues and embedded store as a service
// that starts one itself, with three differences from Observability's
// defaults, since the design's objects did not ask for them: the HTTP
// server (/metrics, the dashboard) is off unless TAI_PROMETHEUS_ADDR is
// set, process metrics are off unless TAI_PROCESS_METRICS is set, and
// Google Cloud export is on when GOOGLE_CLOUD_PROJECT and
// GOOGLE_APPLICATION_CREDENTIALS are set and TAI_GCP_EXPORT is not
// (TAI_GCP_EXPORT=true/false always decides). Its project is the objects'
// `project` argument: GOOGLE_CLOUD_PROJECT naming another one, or a pipeline
// running for another project, is an error at Acquire. So is a pipeline
// with nowhere to put data (Google Cloud export off and no embedded store).
//
// Finished profiles (CloudProfiler) go to Cloud Profiler (with Google
// Cloud export) and the store (when open) from a bounded queue on a thread
// of the pipeline; drops and failures are counted per profiler.
//
// Internal to the compat module. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tai/compat/cloud_profiler.h"
#include "tai/observability.h"
#include "tai/profile/profile_sink.h"

namespace tai::internal {

// A CloudProfiler's upload figures, shared with its queued profiles.
struct ProfileUploadCounters {
  std::mutex mu;
  gcp::ProfileUploadStats stats;
};

// A design object built from `args`, or the error its constructor kept
// (the objects' Create functions).
template <typename T, typename... Args>
Result<std::unique_ptr<T>> MadeOrError(Args&&... args) {
  auto made = std::make_unique<T>(std::forward<Args>(args)...);
  if (!made->status().ok()) return made->status();
  return made;
}

class DesignPipeline {
 public:
  static constexpr size_t kMaxQueuedProfiles = 16;

  // The process's pipeline for `project`, started on first use.
  static Result<std::shared_ptr<DesignPipeline>> Acquire(const std::string& project);
  ~DesignPipeline();
  DesignPipeline(const DesignPipeline&) = delete;
  DesignPipeline& operator=(const DesignPipeline&) = delete;

  Observability& observability() { return *obs_; }
  const std::string& project() const { return obs_->resource().gcp_project; }
  bool exports_to_google_cloud() const { return obs_->config().gcp.enabled; }
  // "Cloud Monitoring (project p) and the embedded store (path)" and so on.
  std::string Destinations(std::string_view google_api) const;

  // Queues a finished profile for every destination; never blocks. A full
  // queue drops it and counts it in `counters`.
  void UploadProfile(UploadedProfile profile, std::shared_ptr<ProfileUploadCounters> counters);
  // Waits until every profile queued so far went out or failed.
  bool FlushProfiles(std::chrono::milliseconds timeout);

 private:
  struct QueuedProfile {
    UploadedProfile profile;
    std::shared_ptr<ProfileUploadCounters> counters;
  };
  using Destination = std::function<Status(const UploadedProfile&)>;

  explicit DesignPipeline(std::unique_ptr<Observability> obs);
  Status AddProfileDestinations();
  void UploadLoop();

  std::unique_ptr<Observability> obs_;
  std::vector<Destination> destinations_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<QueuedProfile> queue_;
  size_t in_flight_ = 0;
  bool stop_ = false;
  std::thread uploader_;
};

}  // namespace tai::internal

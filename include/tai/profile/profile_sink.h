// ProfileSink: where finished profiles go (a directory of pprof files, Google
// Cloud Profiler's createOffline, tests). The ContinuousProfilingService
// hands each sink one batch per upload interval, on its own thread, in
// order; a sink that talks to a network retries before returning, and the
// service keeps a failed batch (bounded, drops counted) to offer again.
//
// UploadedProfile is a value type. Sinks must be thread-safe: Export may be
// called from the service's thread while the user flushes from another.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/profile/profile.h"

namespace tai {

// The kinds of profile Google Cloud Profiler knows (its ProfileType names).
enum class ProfileKind { kCpu, kWall, kHeap, kThreads };

// "CPU", "WALL", "HEAP", "THREADS": Cloud Profiler's spelling.
std::string_view ProfileKindName(ProfileKind kind);
Result<ProfileKind> ParseProfileKind(std::string_view name);

// One finished profile and what identifies it.
struct UploadedProfile {
  std::string id;  // unique within the process: "cpu-000042"
  ProfileKind kind = ProfileKind::kCpu;
  Profile profile;
  // Deployment labels sent with it (version, zone, ...).
  std::map<std::string, std::string> labels;
};

class ProfileSink {
 public:
  virtual ~ProfileSink() = default;
  virtual std::string name() const = 0;
  // Delivers every profile of the batch or fails; on failure the caller may
  // offer the same batch again, so a sink makes delivery idempotent by id
  // where it can.
  virtual Status Export(std::span<const UploadedProfile> batch, const Resource& resource) = 0;
  virtual Status Flush(std::chrono::milliseconds /*timeout*/) { return Status::Ok(); }
};

}  // namespace tai

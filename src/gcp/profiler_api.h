// Internal: what the Cloud Profiler agent and the createOffline sink both
// send: the Deployment, its validation by the API's documented rules
// (profiler.proto), label maps and proto Durations in JSON.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "tai/core/status.h"

namespace tai::internal {

struct ProfilerDeployment {
  std::string project_id;
  std::string target;
  std::map<std::string, std::string> labels;

  // Project id ^[a-z][-a-z0-9:.]{4,61}[a-z0-9]$, target
  // ^[a-z0-9]([-a-z0-9_.]{0,253}[a-z0-9])?$ and the label rules below.
  Status Validate() const;
  // {"projectId": ..., "target": ..., "labels": {...}}
  void AppendJson(std::string& out) const;
};

// Names ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$, each value at most 512 bytes,
// names and values together at most 1024 bytes. `what` names the map in
// errors ("deployment labels").
Status ValidateProfilerLabels(const std::map<std::string, std::string>& labels,
                              std::string_view what);
// {"k": "v", ...}
void AppendStringMap(std::string& out, const std::map<std::string, std::string>& map);
// A google.protobuf.Duration in JSON: "10s", "2.5s", "0.000000100s".
std::string FormatProtoDuration(int64_t nanos);

}  // namespace tai::internal

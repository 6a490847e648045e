// Deploys in the embedded store: a deploy is a start of the service, kept
// as one INFO log record of logger "tai.deploy" whose fields are
// service.version, service.instance.id and deployment.environment.name (and
// whose message says the same in words). Logs already have a table, an
// index on time and retention; the dashboard draws these records as deploy
// annotations on its charts (GET /api/annotations). Observability::Start
// records one when the store opens; an application that runs its own store
// calls RecordDeploy itself.
//
// Free functions over a Store; thread-safe as the Store is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/store/store.h"

namespace tai {

inline constexpr std::string_view kDeployLoggerName = "tai.deploy";

struct DeployRecord {
  int64_t time_nanos = 0;
  std::string service;
  std::string version;  // service.version; "" when the service set none
  std::string instance_id;
  std::string message;  // "checkout 1.4.2 started (instance 6f1c..., prod)"
};

// Queues the deploy record of `resource` starting at `time_nanos` (Unix ns)
// for the store's writer, like any log record (never waits).
void RecordDeploy(Store& store, const Resource& resource, int64_t time_nanos);

// The deploys in [start_nanos, end_nanos), newest first, at most `limit`.
Result<std::vector<DeployRecord>> SearchDeploys(const Store& store, int64_t start_nanos,
                                                int64_t end_nanos, size_t limit);

}  // namespace tai

// Internal: Observability's health report as JSON (GET /healthz), and the
// watch that says each change of health once in the library's own log.
#pragma once

#include <string>

#include "tai/observability.h"

namespace tai::internal {

// {"status":"ok"|"degraded","exporters":[...],"logs":{...},"store":...}
std::string HealthJson(const HealthReport& report);

// Whether the store failed a commit within the last minute: what makes
// the report degraded (its last commit alone would flap, since a full file
// fails big batches while small ones still commit).
bool StoreFailedRecently(const StoreStats& stats, int64_t now_unix_nanos);

// Adds a metric sink to `obs` that, at every collection, compares the
// health with the last one and logs (logger "tai.health") an exporter that
// starts failing (with its error and what to do), recovers, or loses
// requests (at most once a minute each, with the count since the last line).
void WatchHealth(Observability& obs);

}  // namespace tai::internal

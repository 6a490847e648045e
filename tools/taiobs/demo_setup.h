// The demo's setup, shared by `taiobs demo` and the benchmark of what the
// library costs it (bench/demo_bench.cc): the Observability configuration
// (embedded store, alert engine, dashboard, 2 s collection), the SLOs and
// rule its incident is judged by, and its continuous profiling. Plain
// functions; what they start is the caller's.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tai/alert/alert_engine.h"
#include "tai/analysis/continuous_profiling.h"
#include "tai/config.h"
#include "tai/core/status.h"
#include "tai/observability.h"
#include "tai/profile/profile_recorder.h"

namespace taiobs {

// Config::FromEnv with the demo's service name and version, the dashboard
// and /metrics on `listen`, the store at `store_path` ("" for the default
// ./tai-data/payments-demo.db), alerts notified to `receiver_url` unless
// TAI_ALERT_WEBHOOK_URL names another, and the logs kept off the terminal
// unless TAI_LOG_FORMAT is set.
tai::Config DemoConfig(const std::string& listen, const std::string& store_path,
                       const std::string& receiver_url);

// The payment SLOs (availability and latency, burn-rate pages and tickets)
// and the p99 rule of /pay.
tai::Status AddDemoAlerting(tai::AlertEngine& engine);

// Continuous CPU profiling at 250 Hz (enough samples in short windows to
// see one function slow down), windows of `window` uploaded as they finish
// to the store, regressions to the alert engine; and heap snapshots at each
// window's end when the program links tai::heap_hooks. Started; stop it
// before `obs` shuts down.
struct DemoProfiling {
  std::shared_ptr<tai::ProfileRecorder> recorder;
  std::unique_ptr<tai::ContinuousProfilingService> service;
  bool heap = false;
};
tai::Result<DemoProfiling> StartDemoProfiling(tai::Observability& obs,
                                              std::chrono::milliseconds window);

}  // namespace taiobs

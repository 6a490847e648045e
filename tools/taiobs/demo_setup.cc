#include "tools/taiobs/demo_setup.h"

#include <chrono>
#include <cstdlib>

#include "tai/profile/heap_profiler.h"
#include "tai/store/store_sinks.h"

namespace taiobs {

using std::chrono::seconds;

// The demo's SLOs and rule, scaled to minutes so that an incident shows
// within the run: 99% of payments succeed, 99% are under 250 ms, and a page
// when the p99 of /pay stays above it.
tai::Status AddDemoAlerting(tai::AlertEngine& engine) {
  auto route = tai::ParseLabelMatcher("http_route=\"/pay\"");
  TAI_RETURN_IF_ERROR(route.status());
  const std::vector<tai::BurnRateAlert> burn = {{.factor = 10,
                                                 .long_window = std::chrono::minutes(2),
                                                 .short_window = seconds(30),
                                                 .severity = "page"},
                                                {.factor = 2,
                                                 .long_window = std::chrono::minutes(10),
                                                 .short_window = std::chrono::minutes(2),
                                                 .severity = "ticket"}};
  TAI_RETURN_IF_ERROR(engine.AddSlo({.window = std::chrono::hours(1),
                                     .error_budget = 0.01,
                                     .id = "pay-availability",
                                     .display_name = "Payments succeed (99%)",
                                     .kind = tai::SliKind::kBadRatio,
                                     .bad_metric = "http.server.request.errors",
                                     .total_metric = "http.server.requests",
                                     .matchers = {*route},
                                     .min_events = 20,
                                     .burn_rate_alerts = burn,
                                     .interval = seconds(10)}));
  TAI_RETURN_IF_ERROR(engine.AddSlo({.metric = "http.server.request.duration",
                                     .threshold = 0.25,
                                     .window = std::chrono::hours(1),
                                     .error_budget = 0.01,
                                     .id = "pay-latency",
                                     .display_name = "Payments under 250 ms (99%)",
                                     .matchers = {*route},
                                     .min_events = 20,
                                     .burn_rate_alerts = burn,
                                     .interval = seconds(10)}));
  return engine.AddRule({.id = "pay-p99-latency",
                         .display_name = "Payment p99 latency above 250 ms",
                         .metric_type = "http.server.request.duration",
                         .threshold = 0.25,
                         .evaluation_window_secs = 60,
                         .aggregation = tai::WindowAggregation::kP99,
                         .matchers = {*route},
                         .interval = seconds(10),
                         .for_duration = seconds(20),
                         .min_events = 20,
                         .labels = {{"severity", "page"}, {"team", "payments"}},
                         .annotations = {{"summary", "p99 of /pay is {{ $value }} s"}}});
}

tai::Config DemoConfig(const std::string& listen, const std::string& store_path,
                       const std::string& receiver_url) {
  tai::Config c = tai::Config::FromEnv().value_or(tai::Config{});
  c.resource.service_name = "payments-demo";
  if (c.resource.service_version.empty()) c.resource.service_version = "1.0.0";
  c.metrics.collect_interval = seconds(2);  // charts that move while you watch
  c.metrics.prometheus_address = listen;
  c.store.enabled = true;
  if (!store_path.empty()) c.store.options.path = store_path;
  c.alerts.enabled = true;
  c.alerts.notify_only_new_firing = true;
  if (c.alerts.webhook_url.empty()) c.alerts.webhook_url = receiver_url;
  c.traces.export_interval = seconds(2);
  // The logs go to the store (the dashboard shows them); the terminal keeps
  // the demo's own lines unless TAI_LOG_FORMAT asks for the records there.
  if (std::getenv("TAI_LOG_FORMAT") == nullptr) c.logs.format = tai::LogFormat::kOff;
  return c;
}

tai::Result<DemoProfiling> StartDemoProfiling(tai::Observability& obs,
                                              std::chrono::milliseconds window) {
  if (obs.store() == nullptr) {
    return tai::FailedPreconditionError("the demo's profiles go to the store, which is off");
  }
  DemoProfiling p;
  p.recorder = std::make_shared<tai::ProfileRecorder>(250);
  tai::ContinuousProfilingOptions options = obs.ProfilingOptions();
  options.collect_interval = std::chrono::duration_cast<seconds>(window);
  options.upload_interval = options.collect_interval;
  p.heap = options.heap = tai::HeapProfiler::HooksLinked();
  // Denser than the 512 KiB default: the demo keeps only a few MiB, and its
  // heap flame graph should show them in some detail.
  options.heap_options.sample_interval_bytes = 128 * 1024;
  p.service = std::make_unique<tai::ContinuousProfilingService>(p.recorder, options);
  p.service->AddSink(std::make_shared<tai::StoreProfileSink>(obs.store()));
  TAI_RETURN_IF_ERROR(p.service->Start());
  return p;
}

}  // namespace taiobs

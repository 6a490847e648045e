// An example of the logging pillar: a few simulated requests logged with
// typed fields, each in its own trace context, through the stdout sink that
// TAI_LOG_FORMAT chooses (Cloud Logging JSON when piped, the console format
// on a terminal).
//
//   TAI_LOG_FORMAT=json GOOGLE_CLOUD_PROJECT=my-project logging_service [--requests N]
//
// Until the tracing pillar makes spans current, each request passes its
// SpanContext explicitly; inside a span the macros pick it up on their own.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "tai/observability.h"

int main(int argc, char** argv) {
  int requests = 5;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--requests") == 0) requests = std::atoi(argv[i + 1]);
  }
  auto config = tai::Config::FromEnv();
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 2;
  }
  config->metrics.prometheus_enabled = false;
  auto obs = tai::Observability::Start(*config);
  if (!obs.ok()) {
    std::fprintf(stderr, "%s\n", obs.status().ToString().c_str());
    return 1;
  }
  tai::Logger& log = (*obs)->logger("checkout");
  std::mt19937 rng(42);
  TAI_LOG_INFO(log, {{"requests", requests}}, "starting");
  for (int i = 0; i < requests; ++i) {
    tai::SpanContext span;
    span.trace_id = tai::NewTraceId();
    span.span_id = tai::NewSpanId();
    span.trace_flags = tai::SpanContext::kSampledFlag;
    const double latency_ms = std::uniform_real_distribution<double>(1, 250)(rng);
    const std::string user = "user-" + std::to_string(rng() % 100);
    if (latency_ms > 200) {
      TAI_LOG_WARN(log, span, {{"user", user}, {"latency_ms", latency_ms}, {"slow", true}},
                   "request {} was slow", i);
    } else {
      TAI_LOG_INFO(log, span, {{"user", user}, {"latency_ms", latency_ms}, {"token", "s3cr3t"}},
                   "request {} served", i);
    }
  }
  TAI_LOG_INFO(log, "done");
  (*obs)->Shutdown();
  return 0;
}

// An example service: simulated HTTP requests recorded with counters, a
// latency histogram, an up-down counter and a gauge, exposed at /metrics,
// and traced: a server span per request with a client span for its
// database call (failed requests end with error status, so error keeping
// exports them whatever the sampling rate).
//
//   metrics_service [--listen 127.0.0.1:9464] [--requests N] [--rate R] [--seed S]
//
// Prints the /metrics URL on its first line. With --requests N it stops
// generating after N requests, prints "done ..." with the exact latency
// percentiles of what it recorded, and keeps serving until SIGINT/SIGTERM.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tai/core/clock.h"
#include "tai/observability.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

struct Flags {
  std::string listen;
  long requests = 0;  // 0: forever
  double rate = 200;  // requests per second
  unsigned seed = 1;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--listen" && (v = value())) {
      f->listen = v;
    } else if (a == "--requests" && (v = value())) {
      char* end = nullptr;
      errno = 0;
      f->requests = std::strtol(v, &end, 10);
      if (*v == '\0' || *end != '\0' || errno != 0 || f->requests < 0) {
        std::fprintf(stderr, "--requests '%s': expected a whole number, 0 or more\n", v);
        return false;
      }
    } else if (a == "--rate" && (v = value())) {
      char* end = nullptr;
      f->rate = std::strtod(v, &end);
      // Below 1/1000 per second the period overflows the clock; NaN fails too.
      if (*v == '\0' || *end != '\0' || !(f->rate >= 1e-3 && f->rate <= 1e12)) {
        std::fprintf(stderr, "--rate '%s': expected requests per second in [0.001, 1e12]\n", v);
        return false;
      }
    } else if (a == "--seed" && (v = value())) {
      f->seed = static_cast<unsigned>(std::atol(v));
    } else {
      std::fprintf(stderr, "unknown or incomplete flag '%s'\n", a.c_str());
      return false;
    }
  }
  return true;
}

double ExactPercentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}

// The spans of one simulated request, timed as the simulation says.
void TraceRequest(tai::Tracer& tracer, const char* method, const char* path, double ms,
                  const char* code) {
  const int64_t start = tai::WallNanos() - static_cast<int64_t>(ms * 1e6);
  tai::Span span = tracer.StartSpan(std::string(method) + " " + path,
                                    {.kind = tai::SpanKind::kServer, .start_unix_nanos = start});
  span.SetAttribute("http.request.method", method);
  span.SetAttribute("http.route", path);
  span.SetAttribute("http.response.status_code", std::atoi(code));
  {
    tai::Span db = tracer.StartSpan("db.query", span,
                                    {.kind = tai::SpanKind::kClient, .start_unix_nanos = start});
    db.SetAttribute("db.system", "postgresql");
    db.End(start + static_cast<int64_t>(ms * 0.6e6));
  }
  if (code[0] == '5') span.SetStatus(tai::SpanStatusCode::kError, std::string("HTTP ") + code);
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) return 2;
  auto config = tai::Config::FromEnv();
  if (!config.ok()) {
    std::fprintf(stderr, "configuration: %s\n", config.status().ToString().c_str());
    return 2;
  }
  if (config->resource.service_name == "unknown_service") config->resource.service_name = "demo";
  if (!flags.listen.empty()) config->metrics.prometheus_address = flags.listen;
  auto started = tai::Observability::Start(*config);
  if (!started.ok()) {
    std::fprintf(stderr, "start: %s\n", started.status().ToString().c_str());
    return 1;
  }
  tai::Observability& obs = **started;
  tai::MetricRegistry& m = obs.metrics();

  auto requests = m.CreateCounter({.metric_type = "custom.googleapis.com/demo/requests",
                                   .description = "Requests handled",
                                   .labels = {{"method"}, {"route"}, {"code"}}})
                      .value();
  auto latency = m.CreateHistogram({.metric_type = "custom.googleapis.com/demo/request_latency",
                                    .unit = tai::MetricUnit::kMilliseconds,
                                    .description = "Request latency",
                                    .labels = {{"method"}, {"route"}}})
                     .value();
  auto in_flight = m.CreateUpDownCounter({.metric_type = "custom.googleapis.com/demo/in_flight",
                                          .description = "Requests being handled"})
                       .value();
  auto queue = m.CreateGauge({.metric_type = "custom.googleapis.com/demo/queue_depth",
                              .description = "Items waiting in the work queue"})
                   .value();

  std::printf("metrics: %s\n", obs.metrics_url().c_str());
  if (std::string dashboard = obs.dashboard_url(); !dashboard.empty()) {
    std::printf("dashboard: %s\n", dashboard.c_str());
  }
  std::fflush(stdout);
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);

  struct Route {
    const char* method;
    const char* path;
    double median_ms;
  };
  const Route routes[] = {{"GET", "/users", 20}, {"POST", "/orders", 60}, {"GET", "/health", 1}};
  std::mt19937_64 rng(flags.seed);
  std::lognormal_distribution<double> spread(0.0, 0.6);
  std::uniform_int_distribution<int> pick(0, 2);
  std::uniform_real_distribution<double> fail(0, 1);
  auto get_users = latency.Bind({{"method", "GET"}, {"route", "/users"}}).value();

  std::vector<double> recorded;
  const auto period = std::chrono::duration<double>(1.0 / flags.rate);
  auto next = std::chrono::steady_clock::now();
  for (long n = 0; !g_stop.load() && (flags.requests == 0 || n < flags.requests); ++n) {
    const Route& r = routes[pick(rng)];
    in_flight.Add(1);
    double ms = r.median_ms * spread(rng);
    const char* code = fail(rng) < 0.02 ? "500" : "200";
    if (r.path == std::string_view("/users")) {
      get_users.Record(ms);
    } else {
      latency.Record(ms, {{"method", r.method}, {"route", r.path}});
    }
    requests.Add(1, {{"method", r.method}, {"route", r.path}, {"code", code}});
    TraceRequest(obs.tracer(), r.method, r.path, ms, code);
    in_flight.Add(-1);
    queue.Set(static_cast<double>(n % 17));
    if (flags.requests > 0) recorded.push_back(ms);
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
    if (flags.requests == 0) std::this_thread::sleep_until(next);
  }
  if (flags.requests > 0) {
    std::printf("done requests=%ld p50_ms=%.6f p90_ms=%.6f p99_ms=%.6f\n", flags.requests,
                ExactPercentile(recorded, 0.5), ExactPercentile(recorded, 0.9),
                ExactPercentile(recorded, 0.99));
    std::fflush(stdout);
  }
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  obs.Shutdown();
  const tai::SpanProcessorStats spans = obs.span_processor()->stats();
  std::printf("spans exported=%llu dropped=%llu\n", static_cast<unsigned long long>(spans.exported),
              static_cast<unsigned long long>(spans.dropped));
  // What the exporters' queues lost too: the processor's count stops at
  // handing spans to them.
  for (const tai::ExporterHealth& e : obs.Health().exporters) {
    std::printf("exporter %s delivered=%llu dropped=%llu rejected=%llu\n", e.name.c_str(),
                static_cast<unsigned long long>(e.stats.delivered),
                static_cast<unsigned long long>(e.stats.dropped),
                static_cast<unsigned long long>(e.stats.rejected));
  }
  return 0;
}

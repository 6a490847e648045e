// The browser test's server: a store in a temporary directory filled
// through the library's own write APIs with a day of generated data (the
// golden-signal metrics at one point a minute, with past timestamps written
// straight to the store; traces with an error and nested spans; logs
// correlated with them; two CPU profiles, so that a differential flame graph
// and a profiling regression exist; an SLO that passes, one that fails and
// an alert rule that fires), served by ServeDashboardApi on 127.0.0.1 with
// an access token. Names, attributes and messages carry hostile markup: the
// page must show it as text.
//
// Prints one JSON line, {"url": ..., "token": ...}, then serves until its
// stdin closes or it gets SIGTERM/SIGINT. Test support, not a tool.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "core/temp_dir_testing.h"
#include "store/store_testing.h"
#include "tai/alert/alert_engine.h"
#include "tai/analysis/regression.h"
#include "tai/core/clock.h"
#include "tai/dashboard/dashboard_api.h"
#include "tai/log/log_record.h"
#include "tai/store/store.h"

namespace tai {
namespace {

using testing::kHour;
using testing::kMinute;
using testing::kSecond;
using testing::TempDir;

constexpr const char* kImg = "<img src=x onerror=\"window.__pwned=1\">";
constexpr const char* kScript = "<script>window.__pwned=1</script>";
constexpr int kQueueSeries = 20;  // the performance bound's 20 series

int Fail(const Status& status, const char* what) {
  std::cerr << "dashboard_fixture: " << what << ": " << status.ToString() << "\n";
  return 1;
}

std::shared_ptr<const MetricDescriptor> Descriptor(const std::string& name, MetricType type,
                                                   const std::string& unit) {
  return std::make_shared<const MetricDescriptor>(
      MetricDescriptor{.metric_type = name, .value_type = type, .unit = MetricUnit(unit)});
}

// A day of one-minute batches ending at `now`: latency histogram, request
// and error counters (cumulative since `start`), CPU and memory gauges and
// 20 queue-depth series.
void AddMetrics(Store& store, int64_t now) {
  const int64_t start = now - 24 * kHour + 2 * kMinute;
  auto latency = Descriptor("http/server/duration", MetricType::kDistribution, "ms");
  auto requests = Descriptor("http/server/requests", MetricType::kCumulative, "1");
  auto errors = Descriptor("http/server/errors", MetricType::kCumulative, "1");
  auto cpu = Descriptor("process/cpu/utilization", MetricType::kGauge, "1");
  auto memory = Descriptor("process/memory/rss", MetricType::kGauge, "By");
  auto queue = Descriptor("app/queue/depth", MetricType::kGauge, "1");
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency_ms(3.5, 0.6);
  HistogramData histogram;
  int64_t total_requests = 0, total_errors = 0;
  int minute = 0;
  for (int64_t t = start; t <= now; t += kMinute, ++minute) {
    // A daily swell of traffic, and an error burst in the last hour.
    const double load = 1.0 + 0.5 * std::sin(static_cast<double>(minute) / 229.0);
    const int64_t n = static_cast<int64_t>(600 * load);
    for (int64_t i = 0; i < n; ++i) histogram.Record(latency_ms(rng));
    total_requests += n;
    total_errors += (now - t < kHour ? n / 10 : n / 200);
    auto point = [&](MetricValue v, LabelSet labels = LabelSet()) {
      return MetricPoint{std::move(labels), start - kMinute, t, std::move(v)};
    };
    std::vector<MetricPoint> depths;
    for (int w = 0; w < kQueueSeries; ++w) {
      const std::string worker = (w < 10 ? "w0" : "w") + std::to_string(w);
      depths.push_back(
          point(double((minute * (w + 3)) % 97) * load, LabelSet({{"worker", worker}})));
    }
    store.AddMetrics(testing::Batch(
        {testing::OneMetric(latency, InstrumentKind::kHistogram,
                            {point(testing::Distribution(histogram))}),
         testing::OneMetric(requests, InstrumentKind::kCounter, {point(total_requests)}),
         testing::OneMetric(errors, InstrumentKind::kCounter, {point(total_errors)}),
         testing::OneMetric(cpu, InstrumentKind::kGauge, {point(0.35 * load)}),
         testing::OneMetric(memory, InstrumentKind::kGauge, {point(180e6 + 20e6 * load)}),
         testing::OneMetric(queue, InstrumentKind::kGauge, std::move(depths))},
        t));
    if (minute % 120 == 0) (void)store.Flush(std::chrono::seconds(30));
  }
}

// The failed checkout: nested spans, one failing, hostile names and
// attributes; a quick health check; one span an hour over the day.
void AddSpansAndLogs(Store& store, int64_t now, const TraceId& failed) {
  Resource resource;
  resource.service_name = "checkout";
  const int64_t t0 = now - 10 * kMinute;
  const int64_t ms = 1'000'000;
  auto batch = std::make_shared<std::vector<SpanData>>();
  SpanData root = testing::MakeSpan(failed, 1, 0, "POST /checkout", t0, 480 * ms, true);
  root.kind = SpanKind::kServer;
  root.status_message = "payment failed";
  root.attributes = {{"http.route", "/checkout"}, {"http.status_code", int64_t{502}}};
  SpanData auth = testing::MakeSpan(failed, 2, 1, "auth.verify", t0 + 5 * ms, 35 * ms, false);
  SpanData evil = testing::MakeSpan(failed, 3, 1, kImg, t0 + 50 * ms, 350 * ms, true);
  evil.attributes = {{"evil", kScript}, {kImg, "attribute key"}};
  evil.events = {{"retry " + std::string(kScript), t0 + 200 * ms, {{"attempt", int64_t{2}}}, 0}};
  evil.status_message = kImg;
  SpanData db = testing::MakeSpan(failed, 4, 3, "db.query", t0 + 60 * ms, 290 * ms, false);
  db.kind = SpanKind::kClient;
  db.attributes = {
      {"db.statement", "SELECT * FROM orders WHERE id = '" + std::string(kScript) + "'"}};
  SpanData charge = testing::MakeSpan(failed, 5, 3, "payment.charge", t0 + 355 * ms, 40 * ms, true);
  charge.status_message = "card declined";
  for (SpanData* s : {&root, &auth, &evil, &db, &charge}) batch->push_back(*s);
  SpanData health = testing::MakeSpan(TraceId::FromWords(0x7a1, 2), 1, 0, "GET /health",
                                      now - 5 * kMinute, 2 * ms, false);
  batch->push_back(health);
  for (int h = 1; h <= 24; ++h) {
    batch->push_back(testing::MakeSpan(TraceId::FromWords(0x7a1, 100 + h), 1, 0, "GET /products",
                                       now - h * kHour + 30 * kSecond, (40 + h) * ms, false));
  }
  store.AddSpans(batch, resource);

  std::vector<LogRecord> records;
  auto log = [&](int64_t t, LogLevel level, std::string message, uint64_t span) {
    LogRecord r;
    r.time_unix_nanos = t;
    r.level = level;
    r.logger_name = InternLoggerName("checkout");
    r.message = std::move(message);
    if (span != 0) {
      r.trace_id = failed;
      r.span_id = SpanId::FromWord(span);
    }
    records.push_back(std::move(r));
  };
  log(t0 + 1 * ms, LogLevel::kInfo, "checkout started", 1);
  log(t0 + 210 * ms, LogLevel::kWarn, std::string("retrying ") + kImg, 3);
  log(t0 + 390 * ms, LogLevel::kError, std::string("payment declined ") + kScript, 5);
  records.back().AddField({"order_id", LogValue(std::string_view(kImg))});
  for (int h = 1; h <= 12; ++h) {
    log(now - h * kHour, LogLevel::kInfo, "inventory sync done", 0);
  }
  store.AddLogs(LogBatch{resource, std::span<const LogRecord>(records)});
}

// A CPU profile from root-first stacks and their sample counts.
Profile CpuProfile(const std::vector<std::pair<std::vector<std::string>, int64_t>>& stacks,
                   int64_t time) {
  Profile p;
  p.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  p.period_type = {"cpu", "nanoseconds"};
  p.period = 10'000'000;
  p.time_nanos = time;
  p.duration_nanos = 10 * kSecond;
  std::map<std::string, uint64_t> ids;
  auto id_of = [&](const std::string& name) {
    auto [it, added] = ids.emplace(name, ids.size() + 1);
    if (added) {
      p.functions.push_back({it->second, name, name, "", 0});
      p.locations.push_back({it->second, 0, 0x1000 * it->second, {{it->second, 0}}});
    }
    return it->second;
  };
  for (const auto& [stack, n] : stacks) {
    std::vector<uint64_t> leaf_first;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) leaf_first.push_back(id_of(*it));
    p.samples.push_back({leaf_first, {n, n * p.period}, {}});
  }
  return p;
}

Result<ProfileComparison> AddProfiles(Store& store, int64_t now) {
  auto make = [&](int64_t parse, int64_t time) {
    return CpuProfile({{{"main", "handle_request", "parse_order"}, parse},
                       {{"main", "handle_request", kImg}, 60},
                       {{"main", "handle_request", "render", "escape_html"}, 40},
                       {{"main", "gc"}, 30}},
                      time);
  };
  Profile baseline = make(100, now - 2 * kHour);
  Profile current = make(260, now - 30 * kMinute);
  Resource resource;
  resource.service_name = "checkout";
  std::vector<UploadedProfile> batch = {{"cpu-baseline", ProfileKind::kCpu, baseline, {}},
                                        {"cpu-current", ProfileKind::kCpu, current, {}}};
  store.AddProfiles(batch, resource);
  return CompareProfiles(baseline, current);
}

Status AddAlerting(AlertEngine& engine, const ProfileComparison& comparison, int64_t now) {
  TAI_RETURN_IF_ERROR(
      engine.AddRule({.id = "high-error-rate",
                      .display_name = "HighErrorRate",
                      .metric_type = "http/server/errors",
                      .threshold = 0.5,
                      .evaluation_window_secs = 600,
                      .aggregation = WindowAggregation::kRate,
                      .labels = {{"severity", "critical"}},
                      .annotations = {{"summary", std::string("errors ") + kImg}}}));
  TAI_RETURN_IF_ERROR(engine.AddSlo({.metric = "http/server/duration",
                                     .threshold = 1000,
                                     .error_budget = 0.01,
                                     .id = "checkout-latency",
                                     .display_name = "Checkout latency under 1 s"}));
  TAI_RETURN_IF_ERROR(engine.AddSlo({.error_budget = 0.001,
                                     .id = "checkout-errors",
                                     .display_name = "Checkout error rate",
                                     .kind = SliKind::kBadRatio,
                                     .bad_metric = "http/server/errors",
                                     .total_metric = "http/server/requests"}));
  engine.ReportRegressions(ProfileKind::kCpu, comparison.regressions, now);
  for (int i = 0; i < 3; ++i) TAI_RETURN_IF_ERROR(engine.EvaluateOnce());
  return Status::Ok();
}

int Run() {
  // SIGTERM and SIGINT are taken by sigwait below, on this thread; every
  // thread started from here inherits the mask.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  TempDir dir;
  auto store = Store::Open({.path = dir.path() + "/checkout.db"});
  if (!store.ok()) return Fail(store.status(), "opening the store");
  const int64_t now = WallNanos();
  const TraceId failed = TraceId::FromWords(0x7a1da5b0a4d0c0de, 0xfa11ed);
  AddMetrics(**store, now);
  AddSpansAndLogs(**store, now, failed);
  auto comparison = AddProfiles(**store, now);
  if (!comparison.ok()) return Fail(comparison.status(), "comparing the profiles");
  if (Status s = (*store)->Flush(std::chrono::seconds(60)); !s.ok()) return Fail(s, "flushing");

  auto engine = AlertEngine::Create({.store = store->get()});
  if (!engine.ok()) return Fail(engine.status(), "creating the alert engine");
  if (Status s = AddAlerting(**engine, *comparison, now); !s.ok()) return Fail(s, "alerting");
  (void)(*store)->Flush(std::chrono::seconds(30));

  // A random token, as an application would configure one.
  std::random_device random;
  std::string token;
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) token += digits[random() % 16];

  HttpServer server({.address = "127.0.0.1:0"});
  Status served = ServeDashboardApi(server, {.store = store->get(),
                                             .alerts = engine->get(),
                                             .service_name = "checkout",
                                             .access_token = token});
  if (!served.ok()) return Fail(served, "serving the dashboard");
  if (Status s = server.Start(); !s.ok()) return Fail(s, "starting the server");
  std::cout << "{\"url\": \"" << server.url() << "/\", \"token\": \"" << token << "\"}"
            << std::endl;

  // Closing stdin (the test's end of the pipe) stops the fixture like SIGTERM.
  std::thread([] {
    char buffer[256];
    while (::read(STDIN_FILENO, buffer, sizeof(buffer)) > 0) {
    }
    ::kill(::getpid(), SIGTERM);
  }).detach();
  int signal = 0;
  sigwait(&stop, &signal);
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace tai

int main() { return tai::Run(); }

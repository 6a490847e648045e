// The Google Cloud exporters through faults and an outage: a real
// instrumented program (two app threads making spans, log entries and
// counter increments) runs for 60 s against the three emulators while 30%
// of requests fail (503, 429 with Retry-After, answers lost after the
// request was processed, answers too slow for the client) and the network
// is cut from 20 s to 40 s. Afterwards every span, entry and point has
// arrived, once after removing the copies that retries of lost answers
// make, and in the order it was made; the queues stayed within their memory
// budget by spilling to disk; the app threads never waited on the network.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "core/temp_dir_testing.h"
#include "tai/gcp/cloud_logging_log_sink.h"
#include "tai/gcp/cloud_monitoring_metric_sink.h"
#include "tai/gcp/cloud_trace_span_sink.h"
#include "tai/log/log.h"
#include "tai/log/log_pipeline.h"
#include "tai/metrics/metric_collector.h"
#include "tai/metrics/metric_registry.h"
#include "tai/trace/sampler.h"
#include "tai/trace/span_processor.h"
#include "tai/trace/trace.h"
#include "tests/gcp_emulator/fault_proxy.h"
#include "tests/gcp_emulator/logging_emulator.h"
#include "tests/gcp_emulator/monitoring_emulator.h"
#include "tests/gcp_emulator/trace_emulator.h"

namespace tai::gcp {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr auto kRun = 60s;
constexpr auto kOutageStart = 20s;
constexpr auto kOutageEnd = 40s;
constexpr size_t kMemoryBudget = 64 << 10;
constexpr int kThreads = 2;

// "t<thread>-<n>" -> (thread, n)
std::pair<int, int> ParseOp(const std::string& op) {
  const size_t dash = op.find('-');
  return {std::stoi(op.substr(1, dash - 1)), std::stoi(op.substr(dash + 1))};
}

// The ops of each thread in the order they first arrived: must be 0, 1, 2...
void ExpectEveryOpOnceInOrder(const std::vector<std::string>& arrivals, const int* made,
                              const char* what) {
  std::set<std::string> seen;
  std::vector<int> next(kThreads, 0);
  int out_of_order = 0;
  for (const std::string& op : arrivals) {
    if (!seen.insert(op).second) continue;  // a retried copy
    auto [thread, n] = ParseOp(op);
    if (n != next[thread]) ++out_of_order;
    next[thread] = n + 1;
  }
  EXPECT_EQ(out_of_order, 0) << what;
  size_t want = 0;
  for (int t = 0; t < kThreads; ++t) {
    want += static_cast<size_t>(made[t]);
    EXPECT_EQ(next[t], made[t]) << what << " of thread " << t;
  }
  EXPECT_EQ(seen.size(), want) << what;
  ::testing::Test::RecordProperty(std::string(what) + "_copies",
                                  static_cast<int>(arrivals.size() - seen.size()));
}

TEST(ExportOutageTest, NothingIsLostThroughFaultsAndAnOutage) {
  testing::TraceEmulator trace_api;
  testing::MonitoringEmulator monitoring_api;
  testing::LoggingEmulator logging_api;
  trace_api.set_faults({.failure_rate = 0.3, .seed = 11});
  monitoring_api.set_faults({.failure_rate = 0.3, .seed = 12});
  logging_api.set_faults({.failure_rate = 0.3, .seed = 13});
  testing::FaultProxy trace_net(testing::PortOf(trace_api.url()));
  testing::FaultProxy monitoring_net(testing::PortOf(monitoring_api.url()));
  testing::FaultProxy logging_net(testing::PortOf(logging_api.url()));
  testing::TempDir spill;
  ASSERT_FALSE(spill.path().empty());

  GcpApiOptions api;
  api.project_id = "outage-test";
  api.endpoints.trace = trace_net.url();
  api.endpoints.monitoring = monitoring_net.url();
  api.endpoints.logging = logging_net.url();
  api.timeout = 1500ms;  // shorter than a slow answer (2 s)
  api.delivery = {.memory_bytes = kMemoryBudget,
                  .spill_directory = spill.path(),
                  .initial_backoff = 50ms,
                  .max_backoff = 1s};
  auto trace_sink = CloudTraceSpanSink::Create({.api = api});
  auto monitoring_sink = CloudMonitoringMetricSink::Create({.api = api});
  auto logging_sink = CloudLoggingLogSink::Create({.api = api});
  ASSERT_TRUE(trace_sink.ok() && monitoring_sink.ok() && logging_sink.ok());

  Resource resource;
  resource.service_name = "outage-test";
  resource.instance_id = "i-1";
  auto processor = std::make_shared<BatchSpanProcessor>(resource);
  processor->AddSink(*trace_sink);
  Tracer tracer(processor, {.sampler = AlwaysOnSampler()});
  // One request a second: each failed attempt costs the sender up to a
  // couple of seconds here, so five small requests a second would never
  // catch up.
  LogPipeline logs({.max_batch = 4096, .export_interval = 1s},
                   std::make_shared<Resource>(resource));
  logs.AddSink(*logging_sink);
  ASSERT_TRUE(logs.Start().ok());
  MetricRegistry registry({}, std::make_shared<const Resource>(resource));
  auto ops = registry.CreateCounter({.metric_type = "outage/ops", .description = "ops"}).value();
  MetricCollector collector(registry, 1s);
  collector.AddSink(*monitoring_sink);
  ASSERT_TRUE(collector.Start().ok());

  const auto start = Clock::now();
  std::atomic<bool> stop{false};
  int made[kThreads] = {};
  Clock::duration slowest[kThreads] = {};
  std::vector<std::thread> app;
  for (int t = 0; t < kThreads; ++t) {
    app.emplace_back([&, t] {
      Logger& logger = logs.GetLogger("app");
      for (int n = 0; !stop; ++n) {
        const std::string op = "t" + std::to_string(t) + "-" + std::to_string(n);
        const auto begin = Clock::now();
        {
          Span span = tracer.StartSpan("op");
          SpanScope scope(span);
          span.SetAttribute("op", op);
          TAI_LOG_INFO(logger, {{"op", op}}, "op {}", n);
          ops.Add(1);
        }
        slowest[t] = std::max(slowest[t], Clock::now() - begin);
        made[t] = n + 1;
        std::this_thread::sleep_for(10ms);  // pacing, about 100 ops/s per thread
      }
    });
  }
  size_t most_on_disk[2] = {};
  for (bool down = false; Clock::now() - start < kRun;) {
    std::this_thread::sleep_for(100ms);
    const auto now = Clock::now() - start;
    const bool want_down = now >= kOutageStart && now < kOutageEnd;
    if (want_down != down) {
      down = want_down;
      for (auto* net : {&trace_net, &monitoring_net, &logging_net}) net->SetDown(down);
    }
    most_on_disk[0] = std::max(most_on_disk[0], (*trace_sink)->delivery_stats().disk_requests);
    most_on_disk[1] = std::max(most_on_disk[1], (*logging_sink)->delivery_stats().disk_requests);
  }
  stop = true;
  for (std::thread& t : app) t.join();
  const int64_t total_ops = made[0] + made[1];

  const auto drain_start = Clock::now();
  processor->Shutdown(60s);
  logs.Stop(60s);
  collector.Stop(60s);
  ::testing::Test::RecordProperty(
      "drain_ms", static_cast<int>((Clock::now() - drain_start) / std::chrono::milliseconds(1)));

  // The app threads never waited on the network (an outage would hold a
  // blocked thread for seconds).
  for (int t = 0; t < kThreads; ++t) EXPECT_LT(slowest[t], 1s) << "thread " << t;
  ::testing::Test::RecordProperty(
      "slowest_op_us",
      static_cast<int>(std::max(slowest[0], slowest[1]) / std::chrono::microseconds(1)));
  ::testing::Test::RecordProperty("ops", static_cast<int>(total_ops));
  EXPECT_EQ(processor->stats().dropped, 0u);
  EXPECT_EQ(logs.stats().dropped_queue_full, 0u);

  for (const DeliveryStats& s :
       {(*trace_sink)->delivery_stats(), (*monitoring_sink)->delivery_stats(),
        (*logging_sink)->delivery_stats()}) {
    EXPECT_EQ(s.dropped, 0u) << s.last_error;
    EXPECT_LE(s.peak_memory_bytes, kMemoryBudget);
    EXPECT_EQ(s.memory_requests + s.disk_requests, 0u) << s.last_error;
    EXPECT_EQ(s.replayed, s.spilled);
    EXPECT_GT(s.attempts_failed, 0u);
  }
  // The outage filled memory and moved requests to disk.
  EXPECT_GT(most_on_disk[0], 0u);
  EXPECT_GT(most_on_disk[1], 0u);
  EXPECT_GT(trace_net.cut() + logging_net.cut(), 0);

  // Spans and entries: all of them, in order; copies only from lost answers.
  EXPECT_EQ((*trace_sink)->delivery_stats().rejected, 0u);
  EXPECT_EQ((*logging_sink)->delivery_stats().rejected, 0u);
  EXPECT_TRUE(trace_api.problems().empty()) << trace_api.problems().front();
  EXPECT_TRUE(logging_api.problems().empty()) << logging_api.problems().front();
  std::vector<std::string> span_ops;
  for (const json& span : trace_api.spans()) {
    span_ops.push_back(span["attributes"]["attributeMap"]["op"]["stringValue"]["value"]);
  }
  ExpectEveryOpOnceInOrder(span_ops, made, "spans");
  std::vector<std::string> entry_ops;
  std::set<std::string> insert_ids;
  for (const json& entry : logging_api.entries()) {
    entry_ops.push_back(entry["jsonPayload"]["op"]);
    insert_ids.insert(entry["insertId"].get<std::string>());
  }
  ExpectEveryOpOnceInOrder(entry_ops, made, "log_entries");
  EXPECT_EQ(insert_ids.size(), static_cast<size_t>(total_ops));  // Cloud Logging's dedup key

  // Metric points: in time order with no hole where the outage was, and the
  // last one holds every increment. A copy of a processed request is
  // refused as too close to its original, as the real API does.
  std::vector<int64_t> ends;
  int64_t last_value = 0;
  for (const json& series : monitoring_api.series()) {
    if (series["metric"]["type"] != "custom.googleapis.com/outage/ops") continue;
    ends.push_back(testing::ParseRfc3339Seconds(series["points"][0]["interval"]["endTime"]));
    last_value = std::stoll(series["points"][0]["value"]["int64Value"].get<std::string>());
  }
  ASSERT_GE(ends.size(), 10u);
  for (size_t i = 1; i < ends.size(); ++i) {
    EXPECT_GE(ends[i] - ends[i - 1], 5) << "point " << i;
    EXPECT_LE(ends[i] - ends[i - 1], 10) << "point " << i;  // the outage lasted 20 s
  }
  EXPECT_EQ(last_value, total_ops);
  const testing::FaultCounts monitoring_faults = monitoring_api.faults();
  EXPECT_LE((*monitoring_sink)->delivery_stats().rejected,
            monitoring_faults.lost_answers + monitoring_faults.slow);
  for (const std::string& problem : monitoring_api.problems()) {
    EXPECT_NE(problem.find("less than 5 s apart"), std::string::npos) << problem;
  }
  const testing::FaultCounts trace_faults = trace_api.faults();
  EXPECT_GT(trace_faults.unavailable + trace_faults.throttled + trace_faults.lost_answers +
                trace_faults.slow,
            0u);
}

}  // namespace
}  // namespace tai::gcp

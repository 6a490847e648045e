#include "tai/export/otlp_log_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "export/otlp/otlp_schema_testing.h"
#include "tai/log/log_pipeline.h"
#include "tai/web/http_server.h"

namespace tai {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class OtlpLogSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Handle("POST", "/v1/logs", [this](const HttpRequest& r, HttpResponse& w) {
      if (fail_first_.fetch_sub(1) > 0) {
        w.status = 503;
        w.SetHeader("Retry-After", "0");
        return;
      }
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(r.body);
      content_types_.emplace_back(r.Header("content-type"));
      w.content_type = "application/json";
      w.body = "{}";
    });
    ASSERT_TRUE(server_.Start().ok());
  }
  std::vector<json> Received() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<json> out;
    for (const auto& b : bodies_) out.push_back(json::parse(b));
    return out;
  }

  HttpServer server_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::vector<std::string> content_types_;
  std::atomic<int> fail_first_{0};
};

TEST_F(OtlpLogSinkTest, PostsRecordsAsOtlpJsonGroupedByLogger) {
  fail_first_ = 1;  // one 503 first: the sender retries
  auto sink =
      OtlpLogSink::Create({.endpoint = server_.url() + "/", .delivery = {.initial_backoff = 1ms}})
          .value();
  EXPECT_EQ(sink->url(), server_.url() + "/v1/logs");
  Resource resource;
  resource.service_name = "checkout";
  LogPipeline pipeline({.level = LogLevel::kDebug}, std::make_shared<Resource>(resource));
  pipeline.AddSink(sink);
  SpanContext span;
  span.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  span.span_id = *SpanId::FromHex("00f067aa0ba902b7");
  span.trace_flags = 1;
  TAI_LOG_INFO(pipeline.GetLogger("payments"), span, {{"order", 7}, {"ok", true}}, "paid {}", 12);
  TAI_LOG_DEBUG(pipeline.GetLogger("db"), {{"rows", uint64_t{3}}, {"ms", 1.5}}, "query");
  TAI_LOG_ERROR(pipeline.GetLogger("payments"), "declined");
  ASSERT_TRUE(pipeline.Flush(10s).ok());

  auto received = Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(content_types_[0], "application/json");
  EXPECT_EQ(testing::CheckOtlpJson(received[0], "ExportLogsServiceRequest"), "");
  const json& rl = received[0]["resourceLogs"][0];
  bool has_service = false;
  for (const auto& a : rl["resource"]["attributes"]) {
    has_service |= a["key"] == "service.name" && a["value"]["stringValue"] == "checkout";
  }
  EXPECT_TRUE(has_service);
  const json& scopes = rl["scopeLogs"];
  ASSERT_EQ(scopes.size(), 2u);
  EXPECT_EQ(scopes[0]["scope"]["name"], "payments");
  EXPECT_EQ(scopes[1]["scope"]["name"], "db");
  ASSERT_EQ(scopes[0]["logRecords"].size(), 2u);
  const json& paid = scopes[0]["logRecords"][0];
  EXPECT_EQ(paid["severityNumber"], 9);
  EXPECT_EQ(paid["severityText"], "INFO");
  EXPECT_EQ(paid["body"]["stringValue"], "paid 12");
  EXPECT_EQ(paid["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(paid["spanId"], "00f067aa0ba902b7");
  EXPECT_EQ(paid["flags"], 1);
  EXPECT_TRUE(paid["timeUnixNano"].is_string());
  std::map<std::string, json> attrs;
  for (const auto& a : paid["attributes"]) attrs[a["key"]] = a["value"];
  EXPECT_EQ(attrs["order"]["intValue"], "7");
  EXPECT_EQ(attrs["ok"]["boolValue"], true);
  EXPECT_TRUE(
      attrs["code.filepath"]["stringValue"].get<std::string>().ends_with("otlp_log_sink_test.cc"));
  EXPECT_TRUE(attrs.count("code.lineno"));
  EXPECT_TRUE(attrs.count("thread.id"));
  const json& declined = scopes[0]["logRecords"][1];
  EXPECT_EQ(declined["severityNumber"], 17);
  EXPECT_FALSE(declined.contains("traceId"));
  const json& query = scopes[1]["logRecords"][0];
  EXPECT_EQ(query["severityNumber"], 5);
  std::map<std::string, json> qattrs;
  for (const auto& a : query["attributes"]) qattrs[a["key"]] = a["value"];
  EXPECT_EQ(qattrs["rows"]["intValue"], "3");
  EXPECT_EQ(qattrs["ms"]["doubleValue"], 1.5);
  const DeliveryStats stats = sink->delivery_stats();
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.attempts_failed, 1u);  // the 503
  EXPECT_EQ(stats.rejected + stats.dropped, 0u);
}

TEST_F(OtlpLogSinkTest, AnUnreachableCollectorNeverHoldsThePipeline) {
  // A port with nothing listening: every attempt fails at once, and the
  // retries sleep on the sink's thread, not the pipeline's.
  HttpServer closed;
  ASSERT_TRUE(closed.Start().ok());
  std::string url = closed.url();
  closed.Stop();
  auto sink = OtlpLogSink::Create(
                  {.endpoint = url, .delivery = {.memory_bytes = 1000, .initial_backoff = 1h}})
                  .value();
  LogPipeline pipeline({.max_batch = 1});
  pipeline.AddSink(sink);
  for (int i = 0; i < 10; ++i) TAI_LOG_INFO(pipeline.default_logger(), "{}", i);
  auto t0 = std::chrono::steady_clock::now();
  Status st = pipeline.Flush(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_FALSE(st.ok());  // the sink could not send within the flush timeout
  EXPECT_EQ(pipeline.stats().exported, 10u);
  // One request in flight (waiting out its backoff), what fits in 1000
  // bytes queued, the rest dropped and counted.
  const DeliveryStats stats = sink->delivery_stats();
  EXPECT_GE(stats.dropped, 1u);
  EXPECT_LE(stats.peak_memory_bytes, 1000u);
  EXPECT_EQ(stats.delivered, 0u);
  EXPECT_TRUE(stats.backend_down);
  pipeline.Stop(0ms);
}

}  // namespace
}  // namespace tai

#include "tai/export/otlp_span_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/temp_dir_testing.h"
#include "export/otlp/otlp_schema_testing.h"
#include "tai/web/http_server.h"

namespace tai {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

SpanData RichSpan() {
  SpanData s;
  s.context.trace_id = NewTraceId();
  s.context.span_id = NewSpanId();
  s.context.trace_flags = SpanContext::kSampledFlag;
  s.context.trace_state = "vendor=x";
  s.parent_span_id = NewSpanId();
  s.parent_remote = true;
  s.name = "GET /users/:id";
  s.kind = SpanKind::kServer;
  s.start_unix_nanos = 1'700'000'000'123'456'789;
  s.end_unix_nanos = s.start_unix_nanos + 42'000'000;
  s.attributes = {{"http.request.method", "GET"},
                  {"http.response.status_code", 503},
                  {"ratio", 0.5},
                  {"cached", false},
                  {"tags", std::vector<std::string>{"a", "b"}},
                  {"big", int64_t{9007199254740993}}};
  s.events.push_back({"exception", s.start_unix_nanos + 1, {{"exception.type", "E"}}, 2});
  SpanContext linked;
  linked.trace_id = NewTraceId();
  linked.span_id = NewSpanId();
  s.links.push_back({linked, {{"k", "v"}}, 0});
  s.status = SpanStatusCode::kError;
  s.status_message = "upstream \"down\"\n";
  s.dropped_attributes = 3;
  s.dropped_events = 1;
  return s;
}

Resource TestResource() {
  Resource r;
  r.service_name = "checkout";
  r.service_version = "1.2.3";
  r.instance_id = "i-1";
  return r;
}

TEST(OtlpTracesTest, BodyMatchesTheOtlpSchema) {
  SpanData root;
  root.context.trace_id = NewTraceId();
  root.context.span_id = NewSpanId();
  root.name = "root";
  const json body = json::parse(EncodeOtlpTraces({RichSpan(), root}, TestResource()));
  EXPECT_EQ(testing::CheckOtlpJson(body, "ExportTraceServiceRequest"), "");
}

TEST(OtlpTracesTest, SchemaCheckCatchesMistakes) {
  // The check itself must fail on what a Collector would reject.
  const json bad_int = json::parse(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","startTimeUnixNano":17}]}]}]})");
  EXPECT_NE(testing::CheckOtlpJson(bad_int, "ExportTraceServiceRequest"), "");
  const json unknown = json::parse(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}]}]}]})");
  EXPECT_NE(
      testing::CheckOtlpJson(unknown, "ExportTraceServiceRequest").find("has no field 'trace_id'"),
      std::string::npos);
  const json bad_kind = json::parse(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"kind":9}]}]}]})");
  EXPECT_NE(testing::CheckOtlpJson(bad_kind, "ExportTraceServiceRequest"), "");
}

TEST(OtlpTracesTest, FieldsCarryTheSpan) {
  const SpanData s = RichSpan();
  const json body = json::parse(EncodeOtlpTraces({s}, TestResource()));
  const json& rs = body["resourceSpans"][0];
  EXPECT_EQ(rs["resource"]["attributes"][0]["value"]["stringValue"], "checkout");
  EXPECT_EQ(rs["scopeSpans"][0]["scope"]["name"], "tai-observability");
  const json& j = rs["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(j["traceId"], s.context.trace_id.ToHex());
  EXPECT_EQ(j["spanId"], s.context.span_id.ToHex());
  EXPECT_EQ(j["parentSpanId"], s.parent_span_id.ToHex());
  EXPECT_EQ(j["traceState"], "vendor=x");
  EXPECT_EQ(j["flags"], 0x301);  // sampled, parent known remote
  EXPECT_EQ(j["kind"], 2);       // SPAN_KIND_SERVER
  EXPECT_EQ(j["startTimeUnixNano"], "1700000000123456789");
  EXPECT_EQ(j["endTimeUnixNano"], "1700000000165456789");
  EXPECT_EQ(j["attributes"][5]["value"]["intValue"], "9007199254740993");
  EXPECT_EQ(j["droppedAttributesCount"], 3);
  EXPECT_EQ(j["events"][0]["droppedAttributesCount"], 2);
  EXPECT_EQ(j["droppedEventsCount"], 1);
  EXPECT_EQ(j["links"][0]["spanId"], s.links[0].context.span_id.ToHex());
  EXPECT_EQ(j["status"]["code"], 2);
  EXPECT_EQ(j["status"]["message"], "upstream \"down\"\n");
}

TEST(OtlpTracesTest, SinkPostsGzippedJsonWithHeaders) {
  HttpServer collector;
  std::mutex mu;
  std::vector<HttpRequest> received;
  collector.Handle("POST", "/v1/traces", [&](const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(r);
    w.content_type = "application/json";
    w.body = "{}";
  });
  ASSERT_TRUE(collector.Start().ok());
  auto sink =
      OtlpSpanSink::Create(
          {.endpoint = collector.url() + "/", .headers = {{"x-api-key", "secret"}}, .gzip = true})
          .value();
  auto batch = std::make_shared<const std::vector<SpanData>>(std::vector<SpanData>{RichSpan()});
  ASSERT_TRUE(sink->Export(batch, TestResource()).ok());
  ASSERT_TRUE(sink->Flush(10s).ok());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].Header("content-type"), "application/json");
  EXPECT_EQ(received[0].Header("content-encoding"), "gzip");
  EXPECT_EQ(received[0].Header("x-api-key"), "secret");
  const json body = json::parse(received[0].body);
  EXPECT_EQ(testing::CheckOtlpJson(body, "ExportTraceServiceRequest"), "");
}

TEST(OtlpTracesTest, SinkReportsRejectionsWithTheServersMessage) {
  HttpServer collector;
  collector.Handle("POST", "/custom/path", [](const HttpRequest&, HttpResponse& w) {
    w.status = 400;
    w.body = "bad span";
  });
  ASSERT_TRUE(collector.Start().ok());
  auto sink = OtlpSpanSink::Create({.traces_url = collector.url() + "/custom/path"}).value();
  auto batch = std::make_shared<const std::vector<SpanData>>(std::vector<SpanData>{RichSpan()});
  ASSERT_TRUE(sink->Export(batch, TestResource()).ok());  // queued
  ASSERT_TRUE(sink->Flush(10s).ok());
  const DeliveryStats stats = sink->delivery_stats();
  EXPECT_EQ(stats.rejected, 1u);  // a 400 is not retried
  EXPECT_EQ(stats.attempts_failed, 0u);
  EXPECT_NE(stats.last_error.find("HTTP 400"), std::string::npos) << stats.last_error;
  EXPECT_NE(stats.last_error.find("bad span"), std::string::npos);
}

TEST(OtlpTracesTest, ACollectorOutageHoldsSpansUntilItIsBack) {
  std::atomic<int> calls{0};
  std::mutex mu;
  std::vector<std::string> bodies;
  HttpServer collector;
  collector.Handle("POST", "/v1/traces", [&](const HttpRequest& r, HttpResponse& w) {
    if (calls.fetch_add(1) < 3) {
      w.status = 503;  // down for the first three attempts
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    bodies.push_back(r.body);
  });
  ASSERT_TRUE(collector.Start().ok());
  auto sink = OtlpSpanSink::Create({.endpoint = collector.url(),
                                    .delivery = {.initial_backoff = 10ms, .max_backoff = 50ms}})
                  .value();
  for (int i = 0; i < 4; ++i) {
    SpanData span = RichSpan();
    span.name = "span " + std::to_string(i);
    ASSERT_TRUE(
        sink->Export(std::make_shared<const std::vector<SpanData>>(std::vector<SpanData>{span}),
                     TestResource())
            .ok());
  }
  ASSERT_TRUE(sink->Flush(10s).ok());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(bodies.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    const json body = json::parse(bodies[i]);
    EXPECT_EQ(body["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"],
              "span " + std::to_string(i));
  }
  EXPECT_EQ(sink->delivery_stats().attempts_failed, 3u);
}

TEST(OtlpTracesTest, TracesUrl) {
  EXPECT_EQ(OtlpSpanSinkOptions{.endpoint = "http://c:4318"}.TracesUrl(),
            "http://c:4318/v1/traces");
  EXPECT_EQ(OtlpSpanSinkOptions{.endpoint = "http://c:4318//"}.TracesUrl(),
            "http://c:4318/v1/traces");
  EXPECT_EQ((OtlpSpanSinkOptions{.endpoint = "http://c", .traces_url = "http://t/x"}.TracesUrl()),
            "http://t/x");
}

// Issue 20 #1: spilled requests went, after a restart, to the endpoint they
// were made for, forever, holding every newer one behind them.
TEST(OtlpTracesTest, SpansSpilledBeforeTheEndpointMovedGoToTheNewOne) {
  testing::TempDir dir;
  int gone_port = 0;
  {
    HttpServer gone;  // the collector the spans were made for, now closed
    ASSERT_TRUE(gone.Bind().ok());
    gone_port = gone.port();
  }
  auto batch = std::make_shared<const std::vector<SpanData>>(std::vector<SpanData>{RichSpan()});
  {
    auto old_sink =
        OtlpSpanSink::Create({.endpoint = "http://127.0.0.1:" + std::to_string(gone_port),
                              .delivery = {.spill_directory = dir.path()}})
            .value();
    ASSERT_TRUE(old_sink->Export(batch, TestResource()).ok());
    old_sink->ShutdownQueue(0ms);
    EXPECT_EQ(old_sink->delivery_stats().disk_requests, 1u);
  }
  HttpServer moved;
  std::mutex mu;
  std::vector<std::string> paths;
  moved.Handle("POST", "/v1/traces", [&](const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu);
    paths.push_back(r.path);
    w.body = "{}";
  });
  ASSERT_TRUE(moved.Start().ok());
  auto sink =
      OtlpSpanSink::Create({.endpoint = moved.url(), .delivery = {.spill_directory = dir.path()}})
          .value();
  ASSERT_TRUE(sink->Flush(10s).ok());
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(paths, std::vector<std::string>{"/v1/traces"});
  EXPECT_EQ(sink->delivery_stats().replayed, 1u);
}

}  // namespace
}  // namespace tai

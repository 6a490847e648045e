// Cloud Trace export checked by the emulator: spans made by a real Tracer
// go through the batch processor and CloudTraceSpanSink to a loopback
// server that checks every request against Google's tracing.proto and the
// API's rules.
#include "tai/gcp/cloud_trace_span_sink.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "tai/trace/span_processor.h"
#include "tai/trace/trace.h"
#include "tai/web/http_server.h"
#include "tests/gcp_emulator/trace_emulator.h"

namespace tai::gcp {
namespace {

using nlohmann::json;
using testing::TraceEmulator;

TEST(CloudTraceExporterTest, SpansFromATracerPassTheEmulatorsChecks) {
  TraceEmulator emulator;
  auto sink = CloudTraceSpanSink::Create(
      {.api = {.project_id = "my-project", .endpoints = emulator.Endpoints()},
       .max_spans_per_request = 7});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  Resource resource;
  resource.service_name = "checkout";
  auto processor = std::make_shared<BatchSpanProcessor>(resource);
  processor->AddSink(*sink);
  Tracer tracer(processor);
  SpanContext linked;
  linked.trace_id = NewTraceId();
  linked.span_id = NewSpanId();
  for (int i = 0; i < 10; ++i) {
    Span root = tracer.StartSpan("GET /orders/:id", {.kind = SpanKind::kServer});
    SpanScope scope(root);
    root.SetAttribute("http.response.status_code", 200);
    root.SetAttribute("ratio", 0.25);
    root.SetAttribute("tags", std::vector<std::string>{"a", "b"});
    root.SetAttribute(std::string(200, 'k'), "key too long for Cloud Trace");
    root.SetAttribute("long", std::string(300, 'v'));
    for (int a = 0; a < 40; ++a) root.SetAttribute("attr" + std::to_string(a), a);
    root.AddEvent("cache miss", {{"key", "order:1"}});
    root.AddLink(linked);
    Span db = tracer.StartSpan(std::string(150, 'n'), {.kind = SpanKind::kClient});
    db.SetStatus(SpanStatusCode::kError, "deadline exceeded");
  }
  processor->Shutdown(std::chrono::seconds(10));
  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  const auto spans = emulator.spans();
  ASSERT_EQ(spans.size(), 20u);
  EXPECT_EQ(processor->stats().export_errors, 0u);

  const json* root = nullptr;
  const json* child = nullptr;
  for (const json& s : spans) {
    if (s["spanKind"] == "SERVER" && !root) root = &s;
    if (s["spanKind"] == "CLIENT" && !child) child = &s;
  }
  ASSERT_TRUE(root && child);
  const json& attrs = (*root)["attributes"]["attributeMap"];
  EXPECT_EQ(attrs["http.response.status_code"]["intValue"], "200");
  EXPECT_EQ(attrs["ratio"]["stringValue"]["value"], "0.25");
  EXPECT_EQ(attrs["long"]["stringValue"]["truncatedByteCount"], 44);
  EXPECT_EQ(attrs.size(), 32u);
  EXPECT_GT((*root)["attributes"]["droppedAttributesCount"].get<int>(), 0);
  EXPECT_EQ((*root)["timeEvents"]["timeEvent"][0]["annotation"]["description"]["value"],
            "cache miss");
  EXPECT_EQ((*root)["links"]["link"][0]["spanId"], linked.span_id.ToHex());
  EXPECT_EQ((*child)["displayName"]["truncatedByteCount"], 22);
  EXPECT_EQ((*child)["status"]["code"], 2);
  EXPECT_EQ((*child)["status"]["message"], "deadline exceeded");
  EXPECT_EQ((*child)["sameProcessAsParentSpan"], true);
  EXPECT_EQ((*child)["parentSpanId"], (*root)["spanId"]);
}

TEST(CloudTraceExporterTest, RejectionsAreCountedWithTheApisMessage) {
  TraceEmulator emulator;
  auto sink =
      CloudTraceSpanSink::Create({.api = {.project_id = "p", .endpoints = emulator.Endpoints()}});
  ASSERT_TRUE(sink.ok());
  SpanData bad;  // invalid ids give names the emulator refuses
  bad.name = "x";
  auto batch = std::make_shared<const std::vector<SpanData>>(std::vector<SpanData>{bad});
  // Export only queues; the answer comes to the sender, which counts it
  // and does not retry what the API refused.
  ASSERT_TRUE((*sink)->Export(batch, Resource{}).ok());
  ASSERT_TRUE((*sink)->Flush(std::chrono::seconds(30)).ok());
  const DeliveryStats stats = (*sink)->delivery_stats();
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.delivered, 0u);
  EXPECT_NE(stats.last_error.find("HTTP 400"), std::string::npos) << stats.last_error;
  EXPECT_NE(stats.last_error.find("bad span name"), std::string::npos) << stats.last_error;
  EXPECT_EQ(emulator.problems().size(), 1u);
}

TEST(CloudTraceExporterTest, DropsAreAClearError) {
  TraceEmulator emulator;
  GcpApiOptions api{.project_id = "p", .endpoints = emulator.Endpoints()};
  api.delivery.memory_bytes = 100;  // no request fits, and there is no spill directory
  auto sink = CloudTraceSpanSink::Create({.api = api});
  ASSERT_TRUE(sink.ok());
  SpanData span;
  span.name = "checkout";
  span.context.trace_id = NewTraceId();
  span.context.span_id = NewSpanId();
  auto batch = std::make_shared<const std::vector<SpanData>>(std::vector<SpanData>{span, span});
  Status s = (*sink)->Export(batch, Resource{});
  ASSERT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("2 spans dropped"), std::string::npos) << s.message();
  EXPECT_EQ((*sink)->delivery_stats().dropped, 1u);  // one request held both
}

TEST(CloudTraceExporterTest, ConfigurationErrorsAreClear) {
  EXPECT_FALSE(CloudTraceSpanSink::Create({.api = {.project_id = ""}}).ok());
  GcpEndpoints plain;
  plain.trace = "http://cloudtrace.example.com";
  auto s = CloudTraceSpanSink::Create({.api = {.project_id = "p", .endpoints = plain}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("https"), std::string::npos);
}

}  // namespace
}  // namespace tai::gcp

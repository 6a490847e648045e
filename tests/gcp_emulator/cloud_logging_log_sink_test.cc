// Cloud Logging export checked by the emulator: records made by a real
// LogPipeline, inside and outside a span, go through CloudLoggingLogSink to a
// loopback server that checks every request against Google's logging.proto
// and the API's rules.
#include "tai/gcp/cloud_logging_log_sink.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "tai/log/log.h"
#include "tai/log/log_pipeline.h"
#include "tai/trace/span_processor.h"
#include "tai/trace/trace.h"
#include "tai/web/http_server.h"
#include "tests/gcp_emulator/logging_emulator.h"

namespace tai::gcp {
namespace {

using nlohmann::json;
using testing::LoggingEmulator;

TEST(CloudLoggingExporterTest, RecordsFromAPipelinePassTheEmulatorsChecks) {
  LoggingEmulator emulator;
  auto sink = CloudLoggingLogSink::Create(
      {.api = {.project_id = "my-project", .endpoints = emulator.Endpoints()}});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  Resource resource;
  resource.service_name = "check out";  // a space: not allowed in a log id
  LogPipeline pipeline({.level = LogLevel::kDebug}, std::make_shared<Resource>(resource));
  pipeline.AddSink(*sink);
  Tracer tracer(nullptr, {.sampler = AlwaysOnSampler()});
  SpanContext inside;
  {
    Span span = tracer.StartSpan("request");
    SpanScope scope(span);
    inside = span.context();
    TAI_LOG_INFO(pipeline.GetLogger("payments"), {{"order", 7}, {"message", "field"}},
                 "charged {} cents", 1250);
  }
  TAI_LOG_ERROR(pipeline.GetLogger("payments"), "declined");
  TAI_LOG_WARN(pipeline.GetLogger("big"), "{}", std::string(300 * 1024, 'x'));  // over 256 KB
  for (int i = 0; i < 1500; ++i) TAI_LOG_DEBUG(pipeline.GetLogger("bulk"), "line {}", i);
  ASSERT_TRUE(pipeline.Flush(std::chrono::seconds(30)).ok());

  EXPECT_TRUE(emulator.problems().empty()) << emulator.problems().front();
  EXPECT_EQ(emulator.log_name(), "projects/my-project/logs/check_out");
  const auto entries = emulator.entries();
  ASSERT_EQ(entries.size(), 1503u);
  const json& charged = entries[0];
  EXPECT_EQ(charged["severity"], "INFO");
  EXPECT_EQ(charged["jsonPayload"]["message"], "charged 1250 cents");
  EXPECT_EQ(charged["jsonPayload"]["order"], 7);
  EXPECT_EQ(charged["jsonPayload"]["fields.message"], "field");
  EXPECT_EQ(charged["trace"], "projects/my-project/traces/" + inside.trace_id.ToHex());
  EXPECT_EQ(charged["spanId"], inside.span_id.ToHex());
  EXPECT_EQ(charged["traceSampled"], true);
  EXPECT_EQ(charged["labels"]["logger"], "payments");
  EXPECT_TRUE(charged["sourceLocation"]["file"].get<std::string>().ends_with(
      "cloud_logging_log_sink_test.cc"));
  EXPECT_EQ(entries[1]["severity"], "ERROR");
  EXPECT_FALSE(entries[1].contains("trace"));
  EXPECT_EQ(entries[2]["jsonPayload"]["message"].get<std::string>().size(), 200u * 1024);
}

}  // namespace
}  // namespace tai::gcp

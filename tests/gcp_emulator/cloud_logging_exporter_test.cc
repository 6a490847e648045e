// Cloud Logging export checked by the emulator: records made by a real
// LogPipeline, inside and outside a span, go through CloudLoggingSink to a
// loopback server that checks every request against Google's logging.proto
// and the API's rules.
#include "tai/gcp/cloud_logging_exporter.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "tai/http_server.h"
#include "tai/log.h"
#include "tai/log_pipeline.h"
#include "tai/span_processor.h"
#include "tai/trace.h"
#include "tests/gcp_emulator/api_emulator.h"

namespace tai::gcp {
namespace {

using nlohmann::json;

class LoggingEmulator : public testing::ApiEmulator {
 public:
  LoggingEmulator() : ApiEmulator("google/logging/v2/logging.proto") {
    server().Handle("POST", "/v2/entries:write",
                    [this](const HttpRequest& r, HttpResponse& w) { Write(r, w); });
    Start();
  }
  GcpEndpoints Endpoints() const {
    GcpEndpoints e;
    e.logging = url();
    return e;
  }
  std::vector<json> entries() {
    std::lock_guard<std::mutex> lock(mu());
    return entries_;
  }
  std::string log_name() {
    std::lock_guard<std::mutex> lock(mu());
    return log_name_;
  }

 private:
  void Write(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    if (Status s = validator().Check("google.logging.v2.WriteLogEntriesRequest", r.body); !s.ok()) {
      return Reject(w, s.message());
    }
    const json body = json::parse(r.body);
    static const std::regex kLogName("projects/[a-z0-9-]+/logs/[A-Za-z0-9_.%-]{1,512}");
    log_name_ = body["logName"];
    if (!std::regex_match(log_name_, kLogName)) return Reject(w, "bad logName " + log_name_);
    if (body["entries"].size() > 1000) return Reject(w, "over 1000 entries");
    static const std::regex kTrace("projects/[a-z0-9-]+/traces/[0-9a-f]{32}");
    static const std::regex kSpan("[0-9a-f]{16}");
    for (const json& e : body["entries"]) {
      if (!e.contains("timestamp") || !e.contains("severity"))
        return Reject(w, "no time or severity");
      if (e.contains("trace") && !std::regex_match(e["trace"].get<std::string>(), kTrace)) {
        return Reject(w, "bad trace " + e["trace"].get<std::string>());
      }
      if (e.contains("spanId") && !std::regex_match(e["spanId"].get<std::string>(), kSpan)) {
        return Reject(w, "bad spanId");
      }
      if (e.dump().size() > 256 * 1024) return Reject(w, "entry over 256 KB");
    }
    for (const json& e : body["entries"]) entries_.push_back(e);
    w.content_type = "application/json";
    w.body = "{}";
  }

  std::vector<json> entries_;
  std::string log_name_;
};

TEST(CloudLoggingExporterTest, RecordsFromAPipelinePassTheEmulatorsChecks) {
  LoggingEmulator emulator;
  auto sink = CloudLoggingSink::Create(
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
      "cloud_logging_exporter_test.cc"));
  EXPECT_EQ(entries[1]["severity"], "ERROR");
  EXPECT_FALSE(entries[1].contains("trace"));
  EXPECT_EQ(entries[2]["jsonPayload"]["message"].get<std::string>().size(), 200u * 1024);
}

}  // namespace
}  // namespace tai::gcp

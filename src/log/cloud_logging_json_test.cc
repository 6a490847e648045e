#include "tai/log/cloud_logging_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "log/log_testing.h"
#include "tai/log/log_pipeline.h"

namespace tai {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

Resource TestResource() {
  Resource r;
  r.service_name = "checkout";
  r.service_version = "1.2.0";
  r.instance_id = "i-1";
  r.gcp_project = "my-project";
  return r;
}

std::vector<json> ParseLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_NO_THROW(out.push_back(json::parse(line))) << line.substr(0, 200);
  }
  return out;
}

class ScopedSpan {
 public:
  explicit ScopedSpan(const SpanContext& c) : previous_(detail::SwapCurrentSpanContext(&c)) {}
  ~ScopedSpan() { detail::SwapCurrentSpanContext(previous_); }

 private:
  const SpanContext* previous_;
};

TEST(CloudLoggingJsonTest, RecordMapsToTheStructuredFormat) {
  LogRecord r;
  r.time_unix_nanos = 1'764'066'600'123'456'789;  // 2025-11-25T10:30:00.123456789Z
  r.level = LogLevel::kWarn;
  r.message = "card declined";
  r.file = "src/pay.cc";
  r.line = 42;
  r.function = "void Pay()";
  r.logger_name = InternLoggerName("payments");
  r.thread_id = 77;
  r.trace_id = *TraceId::FromHex("0af7651916cd43dd8448eb211c80319c");
  r.span_id = *SpanId::FromHex("b7ad6b7169203331");
  r.trace_flags = 1;
  r.suppressed = 3;
  r.AddFields({{"order", 991},
               {"amount", 12.5},
               {"retry", true},
               {"card", "visa"},
               {"severity", "user-supplied"},
               {"big", uint64_t{18446744073709551615u}}});
  CloudLoggingJsonSink sink;
  std::string out;
  Resource res = TestResource();
  sink.AppendRecord(out, r, res);
  ASSERT_TRUE(out.ends_with("}\n"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  json j = json::parse(out);
  EXPECT_EQ(j["severity"], "WARNING");
  EXPECT_EQ(j["message"], "card declined");
  EXPECT_EQ(j["time"], "2025-11-25T10:30:00.123456789Z");
  EXPECT_EQ(j["logging.googleapis.com/trace"],
            "projects/my-project/traces/0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(j["logging.googleapis.com/spanId"], "b7ad6b7169203331");
  EXPECT_EQ(j["logging.googleapis.com/trace_sampled"], true);
  EXPECT_EQ(j["logging.googleapis.com/sourceLocation"],
            json({{"file", "src/pay.cc"}, {"line", "42"}, {"function", "void Pay()"}}));
  EXPECT_EQ(j["logging.googleapis.com/labels"]["logger"], "payments");
  EXPECT_EQ(j["logging.googleapis.com/labels"]["service.name"], "checkout");
  EXPECT_EQ(j["logging.googleapis.com/labels"]["service.version"], "1.2.0");
  EXPECT_EQ(j["logging.googleapis.com/labels"]["service.instance.id"], "i-1");
  EXPECT_EQ(j["serviceContext"], json({{"service", "checkout"}, {"version", "1.2.0"}}));
  EXPECT_EQ(j["thread"], 77);
  EXPECT_EQ(j["suppressed"], 3);
  EXPECT_EQ(j["order"], 991);
  EXPECT_EQ(j["amount"], 12.5);
  EXPECT_EQ(j["retry"], true);
  EXPECT_EQ(j["card"], "visa");
  EXPECT_EQ(j["big"].get<uint64_t>(), 18446744073709551615u);
  EXPECT_EQ(j["fields.severity"], "user-supplied");  // cannot override the special member
}

TEST(CloudLoggingJsonTest, SeveritiesAndRecordsWithoutTraceOrProject) {
  EXPECT_EQ(CloudLoggingJsonSink::Severity(LogLevel::kTrace), "DEBUG");
  EXPECT_EQ(CloudLoggingJsonSink::Severity(LogLevel::kDebug), "DEBUG");
  EXPECT_EQ(CloudLoggingJsonSink::Severity(LogLevel::kInfo), "INFO");
  EXPECT_EQ(CloudLoggingJsonSink::Severity(LogLevel::kError), "ERROR");
  EXPECT_EQ(CloudLoggingJsonSink::Severity(LogLevel::kFatal), "CRITICAL");
  LogRecord r;
  r.message = "m";
  r.trace_id = *TraceId::FromHex("0af7651916cd43dd8448eb211c80319c");
  r.span_id = *SpanId::FromHex("b7ad6b7169203331");
  Resource no_project;
  CloudLoggingJsonSink sink;
  std::string out;
  sink.AppendRecord(out, r, no_project);
  json j = json::parse(out);
  EXPECT_EQ(j["logging.googleapis.com/trace"], "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(j["logging.googleapis.com/trace_sampled"], false);
  EXPECT_FALSE(j.contains("logging.googleapis.com/sourceLocation"));
  r.trace_id = TraceId();
  out.clear();
  sink.AppendRecord(out, r, no_project);
  j = json::parse(out);
  EXPECT_FALSE(j.contains("logging.googleapis.com/trace"));
  EXPECT_FALSE(j.contains("logging.googleapis.com/spanId"));
  CloudLoggingJsonSink with_project({.project_id = "other"});
  r.trace_id = *TraceId::FromHex("0af7651916cd43dd8448eb211c80319c");
  out.clear();
  with_project.AppendRecord(out, r, TestResource());
  EXPECT_EQ(json::parse(out)["logging.googleapis.com/trace"],
            "projects/other/traces/0af7651916cd43dd8448eb211c80319c");
}

// Every line written to stdout is one JSON object with the special fields
// in the documented names and formats.
TEST(CloudLoggingJsonTest, EveryStdoutLineIsJsonWithTheSpecialFields) {
  std::vector<std::string> hostile = {
      "quote \" backslash \\ slash /", "new\nline\r\ttab",
      std::string("nul\0inside", 10),  "bad utf8 \xff\xfe \xc3\x28 \xed\xa0\x80 \xf0\x9f\x98",
      "emoji \xf0\x9f\x98\x80 ok",     std::string(1 << 20, 'm'),  // 1 MB, cut by max_message_bytes
      "\x01\x02\x1f\x7f control",      "{\"looks\":\"like json\"}",
  };
  const SpanContext span = [] {
    SpanContext c;
    c.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    c.span_id = *SpanId::FromHex("00f067aa0ba902b7");
    c.trace_flags = 1;
    return c;
  }();
  ::testing::internal::CaptureStdout();
  {
    LogPipeline pipeline({.level = LogLevel::kTrace}, std::make_shared<Resource>(TestResource()));
    pipeline.AddSink(std::make_shared<CloudLoggingJsonSink>());
    ASSERT_TRUE(pipeline.Start().ok());
    Logger& log = pipeline.GetLogger("hostile \"logger\"\n");
    for (size_t i = 0; i < hostile.size(); ++i) {
      ScopedSpan scope(span);
      TAI_LOG_INFO(log, {{hostile[i], hostile[i]}, {"i", i}}, "{}", hostile[i]);
    }
    TAI_LOG_DEBUG(log, {{"nan", std::nan("")}, {"inf", 1.0 / 0.0}}, "outside any span");
    TAI_LOG_ERROR(log, "error");
    pipeline.Stop(10s);
  }
  std::string out = ::testing::internal::GetCapturedStdout();
  std::vector<json> lines = ParseLines(out);
  ASSERT_EQ(lines.size(), hostile.size() + 2);
  const std::regex time_re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)");
  const std::regex trace_re(R"(projects/my-project/traces/[0-9a-f]{32})");
  const std::regex span_re(R"([0-9a-f]{16})");
  const std::set<std::string> severities = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
  for (size_t i = 0; i < lines.size(); ++i) {
    const json& j = lines[i];
    SCOPED_TRACE(i);
    ASSERT_TRUE(j.is_object());
    ASSERT_TRUE(j["severity"].is_string());
    EXPECT_TRUE(severities.count(j["severity"].get<std::string>()));
    ASSERT_TRUE(j["message"].is_string());
    ASSERT_TRUE(j["time"].is_string());
    EXPECT_TRUE(std::regex_match(j["time"].get<std::string>(), time_re)) << j["time"];
    const json& loc = j["logging.googleapis.com/sourceLocation"];
    ASSERT_TRUE(loc.is_object());
    EXPECT_TRUE(loc["file"].get<std::string>().ends_with("cloud_logging_json_test.cc"));
    EXPECT_TRUE(std::regex_match(loc["line"].get<std::string>(), std::regex(R"(\d+)")));
    EXPECT_TRUE(loc["function"].is_string());
    const json& labels = j["logging.googleapis.com/labels"];
    ASSERT_TRUE(labels.is_object());
    for (const auto& [k, v] : labels.items()) EXPECT_TRUE(v.is_string()) << k;
    EXPECT_EQ(labels["logger"], "hostile \"logger\"\n");
    if (i < hostile.size()) {
      EXPECT_EQ(j["severity"], "INFO");
      EXPECT_TRUE(std::regex_match(j["logging.googleapis.com/trace"].get<std::string>(), trace_re));
      EXPECT_TRUE(std::regex_match(j["logging.googleapis.com/spanId"].get<std::string>(), span_re));
      EXPECT_EQ(j["logging.googleapis.com/trace_sampled"], true);
      EXPECT_EQ(j["i"], i);
    } else {
      EXPECT_FALSE(j.contains("logging.googleapis.com/trace"));
    }
  }
  // Valid text survives exactly; NUL and quotes are escaped, not lost.
  EXPECT_EQ(lines[0]["message"], hostile[0]);
  EXPECT_EQ(lines[1]["message"], hostile[1]);
  EXPECT_EQ(lines[2]["message"].get<std::string>(), hostile[2]);
  EXPECT_EQ(lines[2][hostile[2]], hostile[2]);
  EXPECT_EQ(lines[4]["message"], hostile[4]);
  EXPECT_EQ(lines[7]["message"], hostile[7]);
  // The 1 MB message was cut at the pipeline's limit (256 KiB by default).
  EXPECT_LE(lines[5]["message"].get<std::string>().size(), 256u * 1024);
  EXPECT_TRUE(lines[5]["message"].get<std::string>().ends_with("[truncated]"));
  EXPECT_EQ(lines[5][hostile[5]].get<std::string>().size(), hostile[5].size());  // fields are not
  EXPECT_EQ(lines[8]["severity"], "DEBUG");
  EXPECT_EQ(lines[8]["nan"], "NaN");
  EXPECT_EQ(lines[8]["inf"], "Infinity");
  EXPECT_EQ(lines[9]["severity"], "ERROR");
}

TEST(CloudLoggingJsonTest, WholeMegabyteMessagesAreValidJsonWhenAllowed) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string big;
  for (int i = 0; big.size() < (1u << 20); ++i) big += (i % 7 == 0) ? "\"\n\x01\xff" : "abcdefgh";
  std::string read;
  std::thread reader([&] {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) read.append(buf, static_cast<size_t>(n));
  });
  {
    LogPipeline pipeline({.max_message_bytes = 2 << 20});
    pipeline.AddSink(std::make_shared<CloudLoggingJsonSink>(CloudLoggingJsonOptions{.fd = fds[1]}));
    TAI_LOG_INFO(pipeline.default_logger(), "{}", big);
    ASSERT_TRUE(pipeline.Flush(10s).ok());
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  auto lines = ParseLines(read);
  ASSERT_EQ(lines.size(), 1u);
  std::string message = lines[0]["message"];
  EXPECT_GE(message.size(), 1u << 20);  // U+FFFD is 3 bytes for each 0xFF
  EXPECT_EQ(message.find("\xff"), std::string::npos);
  EXPECT_FALSE(lines[0]["logging.googleapis.com/labels"].contains("logger"));
}

TEST(CloudLoggingJsonTest, AClosedPipeIsAnErrorNotADeadProcess) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // nobody reads: write(2) raises SIGPIPE, which would kill the process
  LogPipeline pipeline;
  pipeline.AddSink(std::make_shared<CloudLoggingJsonSink>(CloudLoggingJsonOptions{.fd = fds[1]}));
  TAI_LOG_INFO(pipeline.default_logger(), "into the void");
  ASSERT_TRUE(pipeline.Flush(10s).ok());
  EXPECT_EQ(pipeline.stats().sink_errors, 1u);
  TAI_LOG_INFO(pipeline.default_logger(), "again");
  ASSERT_TRUE(pipeline.Flush(10s).ok());
  EXPECT_EQ(pipeline.stats().sink_errors, 2u);
  ::close(fds[1]);
}

}  // namespace
}  // namespace tai

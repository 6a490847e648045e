#include "tai/log/spdlog_bridge.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "log/log_testing.h"

namespace tai {
namespace {

TEST(SpdlogBridgeTest, SpdlogRecordsGoThroughThePipelineWithTraceContext) {
  testing_util::LogHarness h({.level = LogLevel::kDebug});
  auto bridge = std::make_shared<SpdlogBridgeSink>(*h.pipeline);
  auto logger = std::make_shared<spdlog::logger>("legacy", bridge);
  logger->set_level(spdlog::level::trace);

  SpanContext span;
  span.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  span.span_id = *SpanId::FromHex("00f067aa0ba902b7");
  span.trace_flags = SpanContext::kSampledFlag;
  const SpanContext* previous = detail::SwapCurrentSpanContext(&span);
  SPDLOG_LOGGER_INFO(logger, "paid {} cents password={}", 125, "hunter2");
  const int line = __LINE__ - 1;
  detail::SwapCurrentSpanContext(previous);
  logger->trace("dropped: below the pipeline's DEBUG");
  logger->critical("critical maps to FATAL's severity and does not abort");

  auto records = h.Records();
  ASSERT_EQ(records.size(), 2u);
  const LogRecord& paid = records[0];
  EXPECT_EQ(paid.logger_name, "legacy");
  EXPECT_EQ(paid.level, LogLevel::kInfo);
  EXPECT_EQ(paid.message, "paid 125 cents password=[REDACTED]");
  EXPECT_EQ(paid.trace_id, span.trace_id);
  EXPECT_EQ(paid.span_id, span.span_id);
  EXPECT_TRUE(paid.trace_sampled());
  EXPECT_TRUE(std::string_view(paid.file).ends_with("spdlog_bridge_test.cc"));
  EXPECT_EQ(paid.line, static_cast<uint32_t>(line));
  EXPECT_EQ(records[1].level, LogLevel::kFatal);
  EXPECT_FALSE(records[1].has_trace());
}

}  // namespace
}  // namespace tai

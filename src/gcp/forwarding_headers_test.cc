// The exporters' headers before they were named <backend>_<signal>_sink.h
// still compile, and their old names are the new types.
#include <gtest/gtest.h>

#include <type_traits>

#include "tai/export/otlp_log_sink.h"
#include "tai/gcp/cloud_logging_exporter.h"
#include "tai/gcp/cloud_monitoring_exporter.h"
#include "tai/gcp/cloud_trace_exporter.h"
#include "tai/otlp_exporter.h"

namespace tai {
namespace {

static_assert(std::is_same_v<OtlpExporterOptions, OtlpSpanSinkOptions>);
static_assert(std::is_same_v<OtlpHttpLogSink, OtlpLogSink>);
static_assert(std::is_same_v<OtlpLogOptions, OtlpLogSinkOptions>);
static_assert(std::is_same_v<gcp::CloudTraceExporterOptions, gcp::CloudTraceSpanSinkOptions>);
static_assert(std::is_same_v<gcp::CloudMonitoringSink, gcp::CloudMonitoringMetricSink>);
static_assert(
    std::is_same_v<gcp::CloudMonitoringExporterOptions, gcp::CloudMonitoringMetricSinkOptions>);
static_assert(std::is_same_v<gcp::CloudLoggingSink, gcp::CloudLoggingLogSink>);
static_assert(std::is_same_v<gcp::CloudLoggingExporterOptions, gcp::CloudLoggingLogSinkOptions>);

TEST(ForwardingHeadersTest, OldNamesMakeTheSameExporters) {
  auto sink = gcp::CloudMonitoringSink::Create(gcp::CloudMonitoringExporterOptions{});
  EXPECT_FALSE(sink.ok());  // no project: the same validation as the new name
  auto otlp = OtlpHttpLogSink::Create(OtlpLogOptions{.endpoint = "http://127.0.0.1:1"});
  ASSERT_TRUE(otlp.ok());
  EXPECT_EQ((*otlp)->url(), "http://127.0.0.1:1/v1/logs");
}

}  // namespace
}  // namespace tai

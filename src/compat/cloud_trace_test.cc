#include "tai/compat/cloud_trace.h"

#include <gtest/gtest.h>

#include <thread>

#include "compat/design_env_testing.h"
#include "tai/compat/trace_span.h"

namespace tai::gcp {
namespace {

class CloudTraceTest : public ::testing::Test {
 protected:
  testing::ScopedDesignEnv env_;
};

TEST_F(CloudTraceTest, OriginalDesignFlow) {
  CloudTrace tracer("my-project", 1.0);
  auto trace_id = tracer.StartTrace("request");
  ASSERT_TRUE(trace_id.ok());
  EXPECT_EQ(trace_id->size(), 32u);
  const std::string root = tracer.RootSpanId(*trace_id).value();
  ASSERT_TRUE(tracer.SetSpanAttribute(*trace_id, root, "http.method", "POST").ok());
  ASSERT_TRUE(tracer.SetSpanAttribute(*trace_id, "", "http.status_code", "200").ok());
  auto db = tracer.CreateSpan(*trace_id, "database", std::nullopt);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->size(), 16u);
  auto query = tracer.CreateSpan(*trace_id, "query", *db);
  ASSERT_TRUE(query.ok());
  ASSERT_TRUE(tracer.FinishSpan(*trace_id, *query, SpanStatus::kOk).ok());
  ASSERT_TRUE(tracer.FinishSpan(*trace_id, *db, SpanStatus::kError).ok());
  ASSERT_TRUE(tracer.FinishTrace(*trace_id).ok());
  EXPECT_EQ(tracer.open_traces(), 0u);

  auto exported = tracer.BatchExport();
  ASSERT_TRUE(exported.ok());
  auto& [count, traces] = *exported;
  ASSERT_EQ(count, 1u);
  ASSERT_EQ(traces[0].trace_id, *trace_id);
  ASSERT_EQ(traces[0].spans.size(), 3u);
  const SpanData& last = traces[0].spans.back();
  EXPECT_EQ(last.name, "request");  // the root ends last
  EXPECT_EQ(*last.FindAttribute("http.method"), AttributeValue("POST"));
  EXPECT_EQ(*last.FindAttribute("http.status_code"), AttributeValue("200"));
  EXPECT_EQ(traces[0].spans[0].name, "query");
  EXPECT_EQ(traces[0].spans[0].parent_span_id.ToHex(), *db);
  EXPECT_EQ(traces[0].spans[1].status, SpanStatusCode::kError);

  ASSERT_TRUE(tracer.UploadTraces(traces).ok());
  EXPECT_EQ(tracer.stats().batch_exported, 1u);
  EXPECT_EQ(tracer.stats().queued_for_upload, 1u);
  EXPECT_EQ(tracer.BatchExport()->first, 0u);  // nothing twice
}

TEST_F(CloudTraceTest, BatchesHoldAtMostOneHundredTraces) {
  CloudTrace tracer("p", 1.0);
  for (int i = 0; i < 150; ++i) {
    auto id = tracer.StartTrace("t");
    ASSERT_TRUE(tracer.FinishTrace(*id).ok());
  }
  EXPECT_EQ(tracer.BatchExport()->first, 100u);
  EXPECT_EQ(tracer.BatchExport()->first, 50u);
}

TEST_F(CloudTraceTest, SamplingAtZeroExportsNothingButErrors) {
  CloudTrace tracer("p", 0.0);
  for (int i = 0; i < 20; ++i) {
    auto id = tracer.StartTrace("t");
    auto span = tracer.CreateSpan(*id, "work", std::nullopt);
    ASSERT_TRUE(tracer.FinishSpan(*id, *span, i == 5 ? SpanStatus::kError : SpanStatus::kOk).ok());
    ASSERT_TRUE(tracer.FinishTrace(*id).ok());
  }
  auto [count, traces] = tracer.BatchExport().value();
  EXPECT_EQ(count, 1u);  // the one with an error, kept whatever the rate
}

TEST_F(CloudTraceTest, ClearErrorsForUnknownIds) {
  CloudTrace tracer("p", 1.0);
  auto id = tracer.StartTrace("t");
  Status s = tracer.SetSpanAttribute("nope", "", "k", "v");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("'nope'"), std::string::npos);
  EXPECT_EQ(tracer.CreateSpan(*id, "x", std::string("0123456789abcdef")).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(tracer.FinishSpan(*id, "zz", SpanStatus::kOk).code(), StatusCode::kNotFound);
  EXPECT_EQ(tracer.SetSpanAttribute(*id, "", "", "v").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(tracer.FinishTrace(*id).ok());
  EXPECT_EQ(tracer.FinishTrace(*id).code(), StatusCode::kNotFound);
}

TEST_F(CloudTraceTest, OpenTracesAreBounded) {
  CloudTrace tracer("p", 1.0, CloudTraceOptions{.max_open_traces = 3});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(tracer.StartTrace("t").ok());
  auto fourth = tracer.StartTrace("t");
  EXPECT_EQ(fourth.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(CloudTraceTest, UploadGoesToTheProcessorsSinks) {
  auto sink = std::make_shared<InMemorySpanSink>();
  auto processor = std::make_shared<BatchSpanProcessor>(Resource{});
  processor->AddSink(sink);
  CloudTrace tracer("p", 1.0, processor);
  auto id = tracer.StartTrace("t");
  ASSERT_TRUE(tracer.FinishTrace(*id).ok());
  auto [count, traces] = tracer.BatchExport().value();
  ASSERT_TRUE(tracer.UploadTraces(traces).ok());
  // Through the processor's queue and its counts, not around them.
  EXPECT_EQ(processor->stats().enqueued, 1u);
  ASSERT_TRUE(processor->Flush(std::chrono::seconds(5)));
  EXPECT_EQ(sink->exported(), 1u);
  EXPECT_EQ(processor->stats().exported, 1u);
  EXPECT_EQ(tracer.stats().upload.exported, 1u);
}

TEST_F(CloudTraceTest, UploadIntoAFullQueueCountsTheDrops) {
  auto processor = std::make_shared<BatchSpanProcessor>(Resource{});
  processor->Shutdown(std::chrono::milliseconds(0));  // takes nothing more
  CloudTrace tracer("p", 1.0, processor);
  auto id = tracer.StartTrace("t");
  ASSERT_TRUE(tracer.FinishTrace(*id).ok());
  auto [count, traces] = tracer.BatchExport().value();
  ASSERT_EQ(count, 1u);
  Status s = tracer.UploadTraces(traces);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "CloudTrace: 1 of 1 spans dropped: the span queue is full or shut down");
  EXPECT_EQ(processor->stats().dropped, 1u);
}

TEST(TraceSpanTest, MeasuresDurationWhetherSampledOrNot) {
  TraceSpan span("my-operation");  // the global tracer: a no-op here
  EXPECT_FALSE(span.GetDuration().has_value());
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2)) {
  }
  span.Finish(SpanStatus::kOk);
  ASSERT_TRUE(span.GetDuration().has_value());
  EXPECT_GE(*span.GetDuration(), std::chrono::milliseconds(2));
  const auto first = *span.GetDuration();
  span.Finish(SpanStatus::kError);  // no effect
  EXPECT_EQ(*span.GetDuration(), first);
}

}  // namespace
}  // namespace tai::gcp

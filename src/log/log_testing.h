// Test helpers for the logging pillar: a pipeline feeding an in-memory sink.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "tai/log/log_pipeline.h"

namespace tai::testing_util {

struct LogHarness {
  explicit LogHarness(LogPipelineOptions options = {}, Resource resource = {})
      : sink(std::make_shared<InMemoryLogSink>()),
        pipeline(std::make_unique<LogPipeline>(std::move(options),
                                               std::make_shared<const Resource>(resource))) {
    pipeline->AddSink(sink);
  }
  // Everything logged so far, exported on the calling thread.
  std::vector<LogRecord> Records() {
    EXPECT_TRUE(pipeline->Flush(std::chrono::seconds(10)).ok());
    return sink->records();
  }
  Logger& logger(std::string_view name = "test") { return pipeline->GetLogger(name); }

  std::shared_ptr<InMemoryLogSink> sink;
  std::unique_ptr<LogPipeline> pipeline;
};

}  // namespace tai::testing_util

// SpanSink: where batches of ended spans go (OTLP/HTTP, Cloud Trace, the
// local store, stdout, tests). The BatchSpanProcessor calls Export on its
// export thread, one batch at a time, in order, with the process's Resource.
//
// InMemorySpanSink keeps what it was given, for tests and for reading back
// recent spans; StdoutSpanSink writes one JSON object per span and line.
// Both are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/trace/span_data.h"

namespace tai {

class SpanSink {
 public:
  virtual ~SpanSink() = default;
  virtual std::string name() const = 0;
  // An error is counted (tai_span_export_errors_total{sink}); the batch is
  // not offered again, so a sink that can retry does so before returning.
  virtual Status Export(const SpanBatch& batch, const Resource& resource) = 0;
  virtual Status Flush(std::chrono::milliseconds /*timeout*/) { return Status::Ok(); }
};

class InMemorySpanSink : public SpanSink {
 public:
  // Keeps the newest `capacity` spans.
  explicit InMemorySpanSink(size_t capacity = 100'000) : capacity_(capacity) {}
  std::string name() const override { return "memory"; }
  Status Export(const SpanBatch& batch, const Resource& resource) override;

  std::vector<SpanData> spans() const;
  size_t exported() const;  // every span ever given, kept or not
  size_t batches() const;
  // Waits until at least `n` spans have been exported or `timeout` passes.
  bool WaitForSpans(size_t n, std::chrono::milliseconds timeout) const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::deque<SpanData> spans_;
  size_t exported_ = 0;
  size_t batches_ = 0;
};

// One JSON object per line: trace_id, span_id, parent_span_id, name, kind,
// start/end (RFC 3339), duration_ms, status, attributes, events, links,
// service.
class StdoutSpanSink : public SpanSink {
 public:
  explicit StdoutSpanSink(std::FILE* out = stdout) : out_(out) {}
  std::string name() const override { return "stdout"; }
  Status Export(const SpanBatch& batch, const Resource& resource) override;

 private:
  std::FILE* out_;
  std::mutex mu_;
};

// The line StdoutSpanSink writes for one span (without the newline).
std::string SpanToJsonLine(const SpanData& span, const Resource& resource);

}  // namespace tai

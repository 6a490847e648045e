// CloudTrace: the original design's tracing API, by trace and span id
// strings (32 and 16 lower-case hex digits):
//
//   tai::gcp::CloudTrace tracer("my-project", 0.01);
//   std::string trace_id = tracer.StartTrace("request").value();
//   std::string db = tracer.CreateSpan(trace_id, "database", std::nullopt).value();
//   tracer.SetSpanAttribute(trace_id, db, "db.system", "postgresql");
//   tracer.FinishSpan(trace_id, db, tai::SpanStatus::kOk);
//   tracer.FinishTrace(trace_id);
//   auto [count, traces] = tracer.BatchExport().value();
//   tracer.UploadTraces(traces);
//
// Built on Tracer and BatchSpanProcessor with a parent-based trace-id ratio
// sampler at `sample_rate` (errors kept as TracerOptions says). Finished
// sampled traces wait for BatchExport (at most 100 a batch, the original
// design's default); UploadTraces hands them to the sinks of the processor
// given at construction (Cloud Trace, OTLP, the local store), or keeps them
// in uploaded() when there is none.
//
// Owned by the application. Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/compat/trace_span.h"
#include "tai/trace/span_processor.h"
#include "tai/trace/span_sink.h"
#include "tai/trace/trace.h"

namespace tai::gcp {

struct Trace {
  std::string trace_id;
  std::vector<SpanData> spans;  // root last
};

struct CloudTraceOptions {
  size_t batch_traces = 100;        // traces per BatchExport at most
  size_t max_open_traces = 10'000;  // StartTrace fails past this
  size_t max_open_spans_per_trace = 1'000;
};

class CloudTrace {
 public:
  CloudTrace(std::string project, double sample_rate);
  CloudTrace(std::string project, double sample_rate, std::shared_ptr<BatchSpanProcessor> upload_to,
             CloudTraceOptions options = {});
  ~CloudTrace();
  CloudTrace(const CloudTrace&) = delete;
  CloudTrace& operator=(const CloudTrace&) = delete;

  // Starts a trace with its root span; returns the trace id.
  Result<std::string> StartTrace(std::string_view name);
  Result<std::string> RootSpanId(std::string_view trace_id) const;
  // A span under `parent_span_id`, or under the root when none; returns its id.
  Result<std::string> CreateSpan(std::string_view trace_id, std::string_view name,
                                 std::optional<std::string> parent_span_id);
  // `span_id` "" means the root span.
  Status SetSpanAttribute(std::string_view trace_id, std::string_view span_id, std::string_view key,
                          AttributeValue value);
  Status FinishSpan(std::string_view trace_id, std::string_view span_id, SpanStatus status);
  // Ends every span still open (the root last); the trace is then complete.
  Status FinishTrace(std::string_view trace_id);

  // Complete sampled traces not exported yet, at most batch_traces of them.
  Result<std::pair<size_t, std::vector<Trace>>> BatchExport();
  Status UploadTraces(const std::vector<Trace>& traces);

  const std::string& project() const { return project_; }
  double sample_rate() const { return sample_rate_; }
  size_t open_traces() const;
  // What UploadTraces kept when there is no processor to upload to.
  std::vector<Trace> uploaded() const;

 private:
  class CompletedTraces;
  struct OpenTrace {
    std::string root_span_id;
    std::map<std::string, Span, std::less<>> spans;
  };
  Result<OpenTrace*> Find(std::string_view trace_id);

  const std::string project_;
  const double sample_rate_;
  const CloudTraceOptions options_;
  const std::shared_ptr<BatchSpanProcessor> upload_to_;
  std::shared_ptr<CompletedTraces> completed_;
  std::shared_ptr<BatchSpanProcessor> processor_;
  std::unique_ptr<Tracer> tracer_;
  mutable std::mutex mu_;
  std::map<std::string, OpenTrace, std::less<>> open_;
  std::vector<Trace> uploaded_;
};

}  // namespace tai::gcp

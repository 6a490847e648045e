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
// sampled traces are gathered in batches of 100 traces or 30 s, the
// original design's defaults (CloudTraceOptions), and wait for BatchExport;
// UploadTraces hands them to the upload processor's sinks. A trace that
// BatchExport has not taken within a batch interval (30 s) is uploaded by
// the CloudTrace itself with the next batch, and what is left when it is
// destroyed too: code that never calls BatchExport (the design's first
// example) still delivers its traces.
//
// Where the traces go:
//  - CloudTrace(project, rate): the process's design pipeline (shared by
//    every standalone design object; docs/tracing.md): Cloud Trace of
//    `project` when Google Cloud export is configured (TAI_GCP_EXPORT=true,
//    or GOOGLE_CLOUD_PROJECT and GOOGLE_APPLICATION_CREDENTIALS set), and
//    the embedded store unless TAI_STORE=off.
//  - CloudTrace(project, rate, processor): that processor's sinks (an
//    Observability's span_processor(): Cloud Trace, OTLP, the store).
// `project` decides: a GOOGLE_CLOUD_PROJECT, a running design pipeline or a
// processor's resource naming another project is an error, and so is
// having nowhere to send traces. The constructors keep such an error:
// status() returns it and so does every call. Create() returns it instead.
//
// Memory is bounded (open traces, spans per trace, finished traces
// waiting); what does not fit is dropped and counted in stats().
//
// Owned by the application. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
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

namespace tai::internal {
class DesignPipeline;
}

namespace tai::gcp {

struct Trace {
  std::string trace_id;
  std::vector<SpanData> spans;  // root last
};

struct CloudTraceOptions {
  // A batch: this many finished traces, or what finished within
  // batch_interval; also the most a BatchExport returns. Default 100 / 30 s.
  size_t batch_traces = 100;
  std::chrono::milliseconds batch_interval{30'000};
  // Finished traces waiting for BatchExport; past it the oldest are
  // dropped and counted. Default 10,000.
  size_t max_waiting_traces = 10'000;
  size_t max_open_traces = 10'000;  // StartTrace fails past this
  size_t max_open_spans_per_trace = 1'000;
};

// What became of the finished traces. Traces count once each.
struct CloudTraceStats {
  uint64_t batch_exported = 0;  // handed out by BatchExport
  // Queued whole on the upload processor (by UploadTraces, or by the
  // CloudTrace for a trace BatchExport did not take): the processor's
  // sinks get them in its next export (`upload` says how that went).
  uint64_t queued_for_upload = 0;
  uint64_t uploaded_automatically = 0;  // of queued_for_upload: not taken by BatchExport in time
  // Lost, by why: some spans did not fit the upload processor's queue (or
  // it was shut down); over max_waiting_traces; spans whose root span
  // never ended, evicted to keep memory bounded.
  uint64_t dropped_upload_queue_full = 0;
  uint64_t dropped_waiting_full = 0;
  uint64_t dropped_incomplete = 0;
  // The CloudTrace's own span queue, where ended spans wait to be gathered
  // into traces (`dropped`: spans ended while it was full, 2048 spans).
  SpanProcessorStats batching;
  // The upload processor's own figures (spans exported to every sink,
  // export errors), shared with whatever else uses that processor.
  SpanProcessorStats upload;
};

class CloudTrace {
 public:
  // The original design's constructor: through the design pipeline.
  CloudTrace(std::string project, double sample_rate, CloudTraceOptions options = {});
  CloudTrace(std::string project, double sample_rate, std::shared_ptr<BatchSpanProcessor> upload_to,
             CloudTraceOptions options = {});
  // The same, failing with the error the constructor would keep.
  static Result<std::unique_ptr<CloudTrace>> Create(std::string project, double sample_rate,
                                                    CloudTraceOptions options = {});
  static Result<std::unique_ptr<CloudTrace>> Create(std::string project, double sample_rate,
                                                    std::shared_ptr<BatchSpanProcessor> upload_to,
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

  // Complete sampled traces not exported yet, at most batch_traces of them,
  // the oldest first.
  Result<std::pair<size_t, std::vector<Trace>>> BatchExport();
  // Queues the traces' spans on the upload processor; RESOURCE_EXHAUSTED
  // (and counted) for spans that did not fit.
  Status UploadTraces(const std::vector<Trace>& traces);

  // OK, or why this CloudTrace cannot work (every call returns it).
  const Status& status() const { return status_; }
  const std::string& project() const { return project_; }
  double sample_rate() const { return sample_rate_; }
  // Where uploaded traces go, in words ("Cloud Trace of project p and the
  // embedded store ./tai-data/x.db"); for the processor form, its sinks.
  const std::string& destination() const { return destination_; }
  size_t open_traces() const;
  CloudTraceStats stats() const;

 private:
  class CompletedTraces;
  struct OpenTrace {
    std::string root_span_id;
    std::map<std::string, Span, std::less<>> spans;
  };
  CloudTrace(std::string project, double sample_rate, CloudTraceOptions options,
             Result<std::shared_ptr<internal::DesignPipeline>> pipeline);
  void Init(std::shared_ptr<BatchSpanProcessor> upload_to);
  Result<OpenTrace*> Find(std::string_view trace_id);
  // Queues whole traces on upload_to_ and counts them.
  Status Send(const std::vector<Trace>& traces, bool automatic);
  void Count(uint64_t CloudTraceStats::*field, uint64_t n);
  // Counts traces dropped for `why`, and says so in the design pipeline's
  // log (logger tai.trace, WARN, at most once a second).
  void CountDropped(uint64_t CloudTraceStats::*field, uint64_t n, std::string_view why);

  const std::string project_;
  const double sample_rate_;
  const CloudTraceOptions options_;
  std::shared_ptr<internal::DesignPipeline> pipeline_;  // the design pipeline, when standalone
  Status status_;
  std::string destination_;
  std::shared_ptr<BatchSpanProcessor> upload_to_;
  std::shared_ptr<CompletedTraces> completed_;
  std::shared_ptr<BatchSpanProcessor> processor_;
  std::unique_ptr<Tracer> tracer_;
  mutable std::mutex mu_;
  std::map<std::string, OpenTrace, std::less<>> open_;
  mutable std::mutex stats_mu_;
  CloudTraceStats stats_;
};

}  // namespace tai::gcp

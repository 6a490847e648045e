// CloudTraceSpanSink: sends span batches to Cloud Trace with the v2 REST API
// (projects.traces.batchWrite), cut to the API's documented limits: display
// name 128 bytes; 32 attributes per span, keys 128 bytes, string values 256
// bytes; 32 annotations per span with descriptions of 256 bytes and 4
// attributes each; 128 links per span with 32 attributes each. What is cut
// is counted in the request's dropped counts and truncatedByteCount, as the
// API expects. Cloud Trace has no double or array values: they are sent as
// their text.
//
// Made by Create(); owned by the BatchSpanProcessor it is added to.
// Thread-safe. Export
// encodes and queues the requests, never waiting on the network; the
// sink's sender delivers them in order and holds them (in memory, then in
// the spill directory) while the API is unreachable: see
// tai/export/delivery_options.h.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tai/export/queued_network_sink.h"
#include "tai/gcp/api_options.h"
#include "tai/trace/span_sink.h"

namespace tai::gcp {

struct CloudTraceSpanSinkOptions {
  GcpApiOptions api;
  // Spans per batchWrite request; bigger batches are split.
  size_t max_spans_per_request = 500;
};

class CloudTraceSpanSink : public SpanSink, public QueuedNetworkSink {
 public:
  // Fails when the project is empty or an endpoint is not allowed.
  static Result<std::shared_ptr<CloudTraceSpanSink>> Create(CloudTraceSpanSinkOptions options);
  std::string name() const override { return "cloud-trace"; }
  // Fails only when a request could be neither queued nor spilled.
  Status Export(const SpanBatch& batch, const Resource& resource) override;
  Status Flush(std::chrono::milliseconds timeout) override { return FlushQueue(timeout); }

 private:
  explicit CloudTraceSpanSink(CloudTraceSpanSinkOptions options);
  const CloudTraceSpanSinkOptions options_;
};

// The BatchWriteSpansRequest JSON body for `spans` (at most
// max_spans_per_request of them: the sink splits before encoding).
std::string EncodeCloudTraceSpans(const std::string& project_id, const SpanData* spans,
                                  size_t count, const Resource& resource);

}  // namespace tai::gcp

// OtlpSpanSink: OTLP/HTTP export with the JSON encoding of the
// OpenTelemetry protocol, to an OpenTelemetry Collector or any OTLP
// endpoint: posts span batches to <endpoint>/v1/traces.
//
// Made by Create(); owned by the BatchSpanProcessor it is added to
// (shared_ptr). Thread-safe.
// Export encodes the batch and queues the request, never waiting on the
// network; the sink's sender posts requests in order and holds them while
// the collector is unreachable (in memory, and in a spill directory when
// one is set), retrying with backoff and jitter, honouring Retry-After:
// see tai/export/delivery_options.h.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tai/core/status.h"
#include "tai/export/delivery_options.h"
#include "tai/export/queued_network_sink.h"
#include "tai/trace/span_sink.h"

namespace tai {

struct OtlpSpanSinkOptions {
  // Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT: "/v1/traces" is appended.
  std::string endpoint = "http://127.0.0.1:4318";
  // Full URL for traces, as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; wins when set.
  std::string traces_url;
  std::vector<std::pair<std::string, std::string>> headers;
  bool gzip = false;
  std::chrono::milliseconds timeout{10'000};  // per attempt
  DeliveryOptions delivery;

  std::string TracesUrl() const;
};

class OtlpSpanSink : public SpanSink, public QueuedNetworkSink {
 public:
  // Never fails today; a Result like every exporter's Create.
  static Result<std::shared_ptr<OtlpSpanSink>> Create(OtlpSpanSinkOptions options);
  std::string name() const override { return "otlp"; }
  // Fails only when the request could be neither queued nor spilled.
  Status Export(const SpanBatch& batch, const Resource& resource) override;
  Status Flush(std::chrono::milliseconds timeout) override { return FlushQueue(timeout); }

 private:
  explicit OtlpSpanSink(OtlpSpanSinkOptions options);
  const OtlpSpanSinkOptions options_;
};

// The ExportTraceServiceRequest JSON body for a batch.
std::string EncodeOtlpTraces(const std::vector<SpanData>& spans, const Resource& resource);

}  // namespace tai

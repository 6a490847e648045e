// OtlpLogSink: exports log records to an OpenTelemetry Collector (or any
// OTLP receiver) as OTLP/HTTP with the JSON encoding, POSTed to
// <endpoint>/v1/logs.
//
// Export encodes the batch on the pipeline's thread and queues the request
// for the sink's own sender thread, so a slow or unreachable collector never
// holds the pipeline. The sender posts requests in order and holds them
// while the collector is unreachable (in memory up to delivery.memory_bytes,
// then in a spill directory when one is set; beyond that a batch is dropped
// and counted), retrying with backoff and jitter, honouring Retry-After:
// see tai/export/delivery_options.h. Flush waits for everything queued to be
// sent, within its timeout.
//
// Mapping: one ResourceLogs for the pipeline's resource, one ScopeLogs per
// logger name (the instrumentation scope), one LogRecord per record:
// timeUnixNano, observedTimeUnixNano, severityNumber (our levels are
// OpenTelemetry's numbers), severityText, body (the message), traceId,
// spanId, flags, and attributes: the fields, code.filepath, code.lineno,
// code.function, thread.id, and log.suppressed_count when non-zero.
//
// Made by Create(); owned by the application (shared_ptr given to
// LogPipeline::AddSink). Export and Flush are called by the pipeline one at
// a time; delivery_stats() is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tai/export/delivery_options.h"
#include "tai/export/queued_network_sink.h"
#include "tai/log/log_sink.h"

namespace tai {

struct OtlpLogSinkOptions {
  // "http://collector:4318"; "/v1/logs" is added unless already there.
  std::string endpoint = "http://127.0.0.1:4318";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};
  bool gzip = false;
  DeliveryOptions delivery;
};

// Destroying it stops the sender; requests not yet sent go to the spill
// directory, or are dropped and counted without one (call Flush first).
class OtlpLogSink : public LogSink, public QueuedNetworkSink {
 public:
  // Never fails today; a Result like every exporter's Create.
  static Result<std::shared_ptr<OtlpLogSink>> Create(OtlpLogSinkOptions options = {});

  std::string name() const override { return "otlp_http"; }
  Status Export(const LogBatch& batch) override;
  Status Flush(std::chrono::milliseconds timeout) override { return FlushQueue(timeout); }

  const std::string& url() const { return url_; }

  // The ExportLogsServiceRequest body for a batch.
  static std::string Encode(const LogBatch& batch);

 private:
  explicit OtlpLogSink(OtlpLogSinkOptions options);
  const OtlpLogSinkOptions options_;
  const std::string url_;
};

// The names before exporters were named <Backend><Signal>Sink.
using OtlpHttpLogSink = OtlpLogSink;
using OtlpLogOptions = OtlpLogSinkOptions;

}  // namespace tai

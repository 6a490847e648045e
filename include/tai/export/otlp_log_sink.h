// OtlpHttpLogSink: exports log records to an OpenTelemetry Collector (or any
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
// Owned by the application (shared_ptr given to LogPipeline::AddSink).
// Export and Flush are called by the pipeline one at a time; stats() is
// thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tai/export/delivery_options.h"
#include "tai/log/log_sink.h"

namespace tai {

namespace internal {
class DeliveryQueue;
}

struct OtlpLogOptions {
  // "http://collector:4318"; "/v1/logs" is added unless already there.
  std::string endpoint = "http://127.0.0.1:4318";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};
  bool gzip = false;
  DeliveryOptions delivery;
};

class OtlpHttpLogSink : public LogSink {
 public:
  explicit OtlpHttpLogSink(OtlpLogOptions options = {});
  // Stops the sender; requests not yet sent go to the spill directory, or
  // are dropped and counted without one (call Flush first).
  ~OtlpHttpLogSink() override;
  OtlpHttpLogSink(const OtlpHttpLogSink&) = delete;
  OtlpHttpLogSink& operator=(const OtlpHttpLogSink&) = delete;

  std::string name() const override { return "otlp_http"; }
  Status Export(const LogBatch& batch) override;
  Status Flush(std::chrono::milliseconds timeout) override;

  DeliveryStats delivery_stats() const;
  const std::string& url() const { return url_; }

  // The ExportLogsServiceRequest body for a batch.
  static std::string Encode(const LogBatch& batch);

 private:
  const OtlpLogOptions options_;
  const std::string url_;
  std::unique_ptr<internal::DeliveryQueue> queue_;
};

}  // namespace tai

// OtlpHttpLogSink: exports log records to an OpenTelemetry Collector (or any
// OTLP receiver) as OTLP/HTTP with the JSON encoding, POSTed to
// <endpoint>/v1/logs.
//
// Export encodes the batch on the pipeline's thread and hands the body to
// the sink's own sender thread, so a slow or unreachable collector never
// holds the pipeline; at most max_pending_batches wait, and a batch beyond
// that is dropped and counted. The sender retries 408/429/5xx and
// connection errors with backoff and jitter (honouring Retry-After).
// Flush waits for everything pending to be sent, within its timeout.
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
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tai/log_sink.h"

namespace tai {

struct OtlpLogOptions {
  // "http://collector:4318"; "/v1/logs" is added unless already there.
  std::string endpoint = "http://127.0.0.1:4318";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};
  bool gzip = false;
  size_t max_pending_batches = 64;
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};
};

struct OtlpLogSinkStats {
  uint64_t sent_batches = 0;
  uint64_t sent_records = 0;
  uint64_t failed_batches = 0;   // given up after the retries
  uint64_t dropped_batches = 0;  // no room among the pending batches
};

class OtlpHttpLogSink : public LogSink {
 public:
  explicit OtlpHttpLogSink(OtlpLogOptions options = {});
  // Stops the sender; batches not yet sent are given up (call Flush first).
  ~OtlpHttpLogSink() override;
  OtlpHttpLogSink(const OtlpHttpLogSink&) = delete;
  OtlpHttpLogSink& operator=(const OtlpHttpLogSink&) = delete;

  std::string name() const override { return "otlp_http"; }
  Status Export(const LogBatch& batch) override;
  Status Flush(std::chrono::milliseconds timeout) override;

  OtlpLogSinkStats stats() const;
  const std::string& url() const { return url_; }

  // The ExportLogsServiceRequest body for a batch.
  static std::string Encode(const LogBatch& batch);

 private:
  struct Pending {
    std::string body;
    size_t records;
  };
  void Run();

  const OtlpLogOptions options_;
  const std::string url_;
  mutable std::mutex mu_;
  std::condition_variable cv_;       // wakes the sender
  std::condition_variable idle_cv_;  // wakes Flush
  std::deque<Pending> pending_;
  bool sending_ = false;
  bool stop_ = false;
  OtlpLogSinkStats stats_;
  std::thread thread_;
};

}  // namespace tai

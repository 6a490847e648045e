// OTLP/HTTP export with the JSON encoding of the OpenTelemetry protocol, to
// an OpenTelemetry Collector or any OTLP endpoint: OtlpSpanSink posts span
// batches to <endpoint>/v1/traces.
//
// Owned by the BatchSpanProcessor it is added to (shared_ptr). Export runs
// on the processor's export thread; the sink serialises its own calls and
// is thread-safe. Failed posts are retried with backoff and jitter
// (honouring Retry-After) a bounded number of times, then reported.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "tai/span_sink.h"
#include "tai/status.h"

namespace tai {

namespace internal {
class HttpClient;
}

struct OtlpExporterOptions {
  // Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT: "/v1/traces" is appended.
  std::string endpoint = "http://127.0.0.1:4318";
  // Full URL for traces, as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; wins when set.
  std::string traces_url;
  std::vector<std::pair<std::string, std::string>> headers;
  bool gzip = false;
  std::chrono::milliseconds timeout{10'000};
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{5'000};

  std::string TracesUrl() const;
};

class OtlpSpanSink : public SpanSink {
 public:
  explicit OtlpSpanSink(OtlpExporterOptions options);
  ~OtlpSpanSink() override;
  std::string name() const override { return "otlp"; }
  Status Export(const SpanBatch& batch, const Resource& resource) override;

 private:
  const OtlpExporterOptions options_;
  std::mutex mu_;
  std::unique_ptr<internal::HttpClient> client_;
};

// The ExportTraceServiceRequest JSON body for a batch.
std::string EncodeOtlpTraces(const std::vector<SpanData>& spans, const Resource& resource);

}  // namespace tai

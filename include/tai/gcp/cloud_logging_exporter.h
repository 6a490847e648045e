// CloudLoggingSink: sends log records to Cloud Logging with the v2 REST API
// (entries.write), for services that do not run where an agent ingests
// stdout. Each record becomes a LogEntry with timestamp, severity, a
// jsonPayload (message and fields), trace / spanId / traceSampled,
// sourceLocation and a logger label, under logName
// projects/P/logs/<log id> and the generic_task resource. Requests use
// partialSuccess, so one bad entry does not lose the others; at most 1000
// entries and about 9 MB go in one request, and a message is cut (at a
// UTF-8 boundary) so that an entry stays under the API's 256 KB.
//
// Owned by the LogPipeline it is added to. Called from the pipeline's
// thread; failed requests are retried a bounded number of times there.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "tai/gcp/api_options.h"
#include "tai/log_sink.h"

namespace tai::internal {
class GcpApiClient;
}

namespace tai::gcp {

struct CloudLoggingExporterOptions {
  GcpApiOptions api;
  // The log id in logName; the service name when empty. Characters outside
  // [A-Za-z0-9_-./] become '_'.
  std::string log_id;
  std::string location = "global";
};

class CloudLoggingSink : public LogSink {
 public:
  static Result<std::shared_ptr<CloudLoggingSink>> Create(CloudLoggingExporterOptions options);
  ~CloudLoggingSink() override;
  std::string name() const override { return "cloud-logging"; }
  Status Export(const LogBatch& batch) override;

 private:
  explicit CloudLoggingSink(CloudLoggingExporterOptions options);
  const CloudLoggingExporterOptions options_;
  std::unique_ptr<tai::internal::GcpApiClient> client_;
};

// One WriteLogEntriesRequest body for `records`.
std::string EncodeCloudLoggingEntries(const CloudLoggingExporterOptions& options,
                                      std::span<const LogRecord> records, const Resource& resource);

}  // namespace tai::gcp

// CloudLoggingLogSink: sends log records to Cloud Logging with the v2 REST API
// (entries.write), for services that do not run where an agent ingests
// stdout. Each record becomes a LogEntry with timestamp, severity, a
// jsonPayload (message and fields), trace / spanId / traceSampled,
// sourceLocation and a logger label, under logName
// projects/P/logs/<log id> and the given resource (generic_task by default). Requests use
// partialSuccess, so one bad entry does not lose the others; at most 1000
// entries and about 9 MB go in one request, and a message is cut (at a
// UTF-8 boundary) so that an entry stays under the API's 256 KB.
//
// Every entry carries an insertId unique to this process, so Cloud Logging
// drops the copy when a request is retried after an answer was lost.
//
// Made by Create(); owned by the LogPipeline it is added to. Called from
// the pipeline's
// thread; Export encodes and queues the requests, never waiting on the
// network; the sink's sender delivers them in order and holds them (in
// memory, then in the spill directory) while the API is unreachable: see
// tai/export/delivery_options.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tai/export/queued_network_sink.h"
#include "tai/gcp/api_options.h"
#include "tai/gcp/monitored_resource.h"
#include "tai/log/log_sink.h"

namespace tai::gcp {

struct CloudLoggingLogSinkOptions {
  GcpApiOptions api;
  // The log id in logName; the service name when empty. Characters outside
  // [A-Za-z0-9_-./] become '_'.
  std::string log_id;
  std::string location = "global";
  // The resource the entries are filed under (DetectMonitoredResource);
  // unset: generic_task from the batch's Resource and `location`.
  std::optional<MonitoredResource> resource;
};

class CloudLoggingLogSink : public LogSink, public QueuedNetworkSink {
 public:
  // Fails when the project is empty or an endpoint is not allowed.
  static Result<std::shared_ptr<CloudLoggingLogSink>> Create(CloudLoggingLogSinkOptions options);
  std::string name() const override { return "cloud-logging"; }
  // Fails only when a request could be neither queued nor spilled.
  Status Export(const LogBatch& batch) override;
  Status Flush(std::chrono::milliseconds timeout) override { return FlushQueue(timeout); }

 private:
  explicit CloudLoggingLogSink(CloudLoggingLogSinkOptions options);
  const CloudLoggingLogSinkOptions options_;
  uint64_t next_insert_id_ = 0;  // the pipeline's thread only
};

}  // namespace tai::gcp

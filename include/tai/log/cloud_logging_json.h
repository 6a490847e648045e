// CloudLoggingJsonSink: writes each record as one line of JSON in Google
// Cloud Logging's structured format, to stdout by default, so that a
// service on GKE or Cloud Run is ingested by the platform's agent with no
// configuration:
//
//   {"severity":"INFO","message":"...","time":"2026-11-25T10:30:00.123456789Z",
//    "logging.googleapis.com/trace":"projects/P/traces/0af7...",
//    "logging.googleapis.com/spanId":"b7ad6b7169203331",
//    "logging.googleapis.com/trace_sampled":true,
//    "logging.googleapis.com/sourceLocation":{"file":"a.cc","line":"42","function":"f"},
//    "logging.googleapis.com/labels":{"logger":"payments","service.name":"checkout",...},
//    "serviceContext":{"service":"checkout","version":"1.2.0"},
//    "thread":1234, "<field>":<value>, ...}
//
// Every line is valid JSON whatever the input: control characters are
// escaped and invalid UTF-8 becomes U+FFFD. Levels map to Cloud Logging
// severities TRACE/DEBUG->DEBUG, INFO->INFO, WARN->WARNING, ERROR->ERROR,
// FATAL->CRITICAL. A field whose key is one of the special members above
// is written as "fields.<key>" so it cannot override them. See
// docs/logging.md.
//
// Called by the pipeline from one thread at a time; not for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tai/log/log_sink.h"

namespace tai {

struct CloudLoggingJsonOptions {
  int fd = 1;  // stdout; 2 for stderr, or any open file descriptor
  // The project in logging.googleapis.com/trace; the resource's
  // gcp_project when empty. Without either, the bare trace id is written.
  std::string project_id;
};

class CloudLoggingJsonSink : public LogSink {
 public:
  explicit CloudLoggingJsonSink(CloudLoggingJsonOptions options = {});

  std::string name() const override { return "cloud_logging_json"; }
  Status Export(const LogBatch& batch) override;

  // Appends one record as a JSON object and a newline.
  void AppendRecord(std::string& out, const LogRecord& record, const Resource& resource);

  // "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL".
  static std::string_view Severity(LogLevel level);

 private:
  void AppendTime(std::string& out, int64_t unix_nanos);
  const std::string& Labels(const Resource& resource, std::string_view logger);

  CloudLoggingJsonOptions options_;
  std::string buffer_;
  int64_t cached_second_ = -1;
  std::string cached_second_text_;  // "2026-11-25T10:30:00"
  const Resource* labels_resource_ = nullptr;
  std::string labels_logger_;
  std::string labels_;
  std::string resource_prefix_;  // serviceContext, cached with the labels
};

}  // namespace tai

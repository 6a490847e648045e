// LogSink: where the log pipeline delivers records (stdout JSON for Cloud
// Logging, the console, OTLP/HTTP, the local store, tests). The pipeline
// calls Export from one thread at a time, batch after batch, in order; the
// records in a batch are only valid during the call. A sink that talks to a
// network should queue and return quickly rather than hold the pipeline.
//
// InMemoryLogSink keeps copies of the most recent records, for tests and
// for reading back what was logged. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/log/log_record.h"

namespace tai {

struct LogBatch {
  const Resource& resource;
  std::span<const LogRecord> records;
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual std::string name() const = 0;
  virtual Status Export(const LogBatch& batch) = 0;
  // Writes out whatever the sink still holds, within `timeout`.
  virtual Status Flush(std::chrono::milliseconds /*timeout*/) { return Status::Ok(); }
};

class InMemoryLogSink : public LogSink {
 public:
  explicit InMemoryLogSink(size_t keep_records = 100'000) : keep_(keep_records) {}

  std::string name() const override { return "memory"; }
  Status Export(const LogBatch& batch) override;

  std::vector<LogRecord> records() const;
  size_t exported() const;  // every record ever exported, including those no longer kept
  size_t batches() const;
  void Clear();

 private:
  const size_t keep_;
  mutable std::mutex mu_;
  std::deque<LogRecord> records_;
  size_t exported_ = 0;
  size_t batches_ = 0;
};

}  // namespace tai

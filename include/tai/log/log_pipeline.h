// LogPipeline: owns the loggers, the bounded queue their records go into,
// the background thread that drains it in batches, and the sinks the
// batches go to (fan-out). tai::Observability makes one from Config::logs;
// an application or a test may make its own.
//
//   tai::LogPipeline logs({.level = tai::LogLevel::kDebug}, resource);
//   logs.AddSink(std::make_shared<tai::CloudLoggingJsonSink>());
//   logs.Start();
//   TAI_LOG_INFO(logs.GetLogger("payments"), "ready");
//   logs.Stop(std::chrono::seconds(5));   // drains and flushes within the deadline
//
// The queue is a fixed ring of preallocated record slots (a bounded
// multi-producer queue with a sequence number per slot): a log call claims a
// slot with one compare-and-swap, writes the record into the slot's buffers
// (which keep their capacity, so a warm pipeline allocates nothing for
// messages up to 500 bytes), and publishes it.
// When every slot is taken the record is dropped and counted: the caller
// never waits. Redaction of sensitive field keys runs on the background
// thread, before any sink sees the record.
//
// Thread-safe. Loggers returned by GetLogger live as long as the pipeline.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/log/log.h"
#include "tai/log/log_sink.h"

namespace tai {

// Field keys redacted by default: a key is redacted when, lower-cased, it
// contains any of these (so "X-Api-Key" and "db_password" are).
std::vector<std::string> DefaultRedactedKeys();

struct LogPipelineOptions {
  LogLevel level = LogLevel::kInfo;
  // Slots in the queue (rounded up to a power of two). Memory for them is
  // allocated 256 slots at a time as bursts first reach them, so a large
  // capacity costs only what the biggest backlog so far has used.
  size_t queue_capacity = 8192;
  // Records handed to the sinks in one Export.
  size_t max_batch = 512;
  // How long the background thread sleeps when the queue is quiet; a record
  // waits at most about this long before it is exported.
  std::chrono::milliseconds export_interval{200};
  // Records per second per call site (0: unlimited); TAI_LOG_RATE_LIMITED
  // sets a limit for one site.
  uint32_t rate_limit_per_site = 0;
  // Messages longer than this are cut (at a UTF-8 boundary) and marked.
  size_t max_message_bytes = 256 * 1024;
  std::vector<std::string> redacted_keys = DefaultRedactedKeys();
  // How long FATAL waits for the sinks before aborting.
  std::chrono::milliseconds fatal_flush_timeout{2'000};
};

struct LogPipelineStats {
  uint64_t enqueued = 0;               // records that got a queue slot
  uint64_t exported = 0;               // records handed to the sinks
  uint64_t dropped_queue_full = 0;     // records dropped because every slot was taken
  uint64_t suppressed_rate_limit = 0;  // records dropped by a call site's rate limit
  uint64_t dropped_at_shutdown = 0;    // records still queued when Stop's deadline passed
  uint64_t sink_errors = 0;            // Export or Flush calls that failed
  uint64_t redacted_fields = 0;        // field values replaced by "[REDACTED]"
  uint64_t queue_slots_allocated = 0;  // slots whose memory exists (at most the capacity)
};

class LogPipeline {
 public:
  explicit LogPipeline(LogPipelineOptions options = {},
                       std::shared_ptr<const Resource> resource = nullptr);
  // Stops (drains and flushes) with a one second deadline if still running.
  ~LogPipeline();
  LogPipeline(const LogPipeline&) = delete;
  LogPipeline& operator=(const LogPipeline&) = delete;

  // The logger with this name, made on first use. The same name gives the
  // same logger.
  Logger& GetLogger(std::string_view name);
  // The logger named "" (the application's default).
  Logger& default_logger() { return *default_logger_; }

  // The global minimum level, for every logger without a level of its own.
  void SetLevel(LogLevel level);
  LogLevel level() const;
  // "info", or "warn,payments=debug,db=error": the global level, then
  // per-logger levels. An unknown level name is an error and changes nothing.
  Status SetLevels(std::string_view spec);
  // The current levels in the same form: the global level, then every
  // logger with a level of its own, by name ("warn,db=error,payments=debug").
  std::string Levels() const;

  void AddSink(std::shared_ptr<LogSink> sink);
  // Starts the background thread. Records logged before are kept (up to the
  // queue capacity) and exported once it runs.
  Status Start();
  // Exports everything logged before the call and flushes every sink, on
  // the calling thread, within `timeout`.
  Status Flush(std::chrono::milliseconds timeout);
  // Stops the loggers, drains and flushes within `deadline`, stops the
  // thread. Records still queued at the deadline are counted as dropped.
  // Idempotent.
  void Stop(std::chrono::milliseconds deadline);

  LogPipelineStats stats() const;
  const LogPipelineOptions& options() const { return options_; }
  const Resource& resource() const { return *resource_; }

 private:
  friend class Logger;
  struct Impl;

  LogPipelineOptions options_;
  std::shared_ptr<const Resource> resource_;
  std::unique_ptr<Impl> impl_;
  Logger* default_logger_;
};

// ParseLogLevels (the spec SetLevels takes) is in tai/log/log_level.h.

}  // namespace tai

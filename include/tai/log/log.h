// Logger and the TAI_LOG_* macros: structured, leveled logging correlated
// with traces.
//
//   tai::Logger& log = pipeline.GetLogger("payments");
//   TAI_LOG_INFO(log, "charged {} cents", cents);
//   TAI_LOG_WARN(log, {{"order_id", order}, {"retry", attempt}}, "card declined: {}", reason);
//   TAI_LOG_ERROR(log, span_context, {}, "explicit trace context");
//   TAI_LOG_RATE_LIMITED(log, tai::LogLevel::kWarn, 10, "at most 10 a second per call site");
//
// The format string is checked at compile time ({fmt}'s format_string: a
// wrong placeholder or argument count does not compile); pass
// fmt::runtime(s) for a format only known at run time. Arguments are not
// evaluated, and nothing is formatted or allocated, below the level: the
// macro costs one relaxed load and a compare.
//
// A record carries the timestamp (ns), source location, thread id, logger
// name, typed fields, and the trace context current on the calling thread
// (CurrentSpanContext()) unless one is given. It is formatted on the calling
// thread into a slot of the pipeline's bounded queue and exported by the
// pipeline's background thread (log_pipeline.h). A full queue drops the
// record and counts it; the caller never blocks.
//
// TAI_LOG_FATAL flushes every sink (within LogPipelineOptions::
// fatal_flush_timeout) and aborts the process, even when FATAL is filtered out.
//
// A call site's rate limit (TAI_LOG_RATE_LIMITED, or the pipeline's
// default) counts every record through that site, whichever logger or
// thread makes it.
//
// Loggers are owned by their LogPipeline and live as long as it does.
// Thread-safe.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <source_location>
#include <string_view>

#include "tai/core/span_context.h"
#include "tai/log/log_level.h"
#include "tai/log/log_record.h"

namespace tai {

class LogPipeline;

// One call site of a logging macro: its level, source location and
// rate-limit state. The macros make it a function-local static with
// constant initialisation (no guard, no allocation).
class LogSite {
 public:
  constexpr LogSite(LogLevel level, std::source_location location, uint32_t max_per_second = 0)
      : level_(level), location_(location), max_per_second_(max_per_second) {}

  LogLevel level() const { return level_; }
  const std::source_location& location() const { return location_; }
  uint32_t max_per_second() const { return max_per_second_; }

  // Rate limit: whether a record made at `now_nanos` may pass when at most
  // `limit` per second are allowed (0: no limit). When records were dropped
  // in earlier windows, the first record of a new window takes their count
  // in *suppressed.
  bool Admit(int64_t now_nanos, uint32_t limit, uint64_t* suppressed);

 private:
  const LogLevel level_;
  const std::source_location location_;
  const uint32_t max_per_second_;
  std::atomic<uint64_t> window_{0};  // (second << 32) | records admitted in it
  std::atomic<uint64_t> suppressed_{0};
};

// Where a record comes from, for Logger::LogMessage. `file` and `function`
// must outlive the pipeline (string literals, as __FILE__ and __func__ are).
struct LogOrigin {
  const char* file = "";
  uint32_t line = 0;
  const char* function = "";
  const SpanContext* context = nullptr;  // nullptr: the span current on this thread
};

class Logger {
 public:
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  std::string_view name() const { return name_; }

  // True when a record at `level` passes this logger's minimum level.
  bool Enabled(LogLevel level) const {
    return static_cast<uint8_t>(level) >= min_level_.load(std::memory_order_relaxed);
  }
  // A level of its own overrides the pipeline's global level; ClearLevel
  // goes back to following it. Both take effect at once on every thread.
  void SetLevel(LogLevel level);
  void ClearLevel();
  std::optional<LogLevel> own_level() const;
  LogLevel effective_level() const {
    return static_cast<LogLevel>(min_level_.load(std::memory_order_relaxed));
  }

  // Called by the macros once the level check has passed.
  template <typename... Args>
  void Log(LogSite& site, fmt::format_string<Args...> format, Args&&... args) {
    Emit(site, nullptr, {}, fmt::string_view(format), fmt::make_format_args(args...));
  }
  template <typename... Args>
  void Log(LogSite& site, LogFields fields, fmt::format_string<Args...> format, Args&&... args) {
    Emit(site, nullptr, fields, fmt::string_view(format), fmt::make_format_args(args...));
  }
  template <typename... Args>
  void Log(LogSite& site, const SpanContext& context, LogFields fields,
           fmt::format_string<Args...> format, Args&&... args) {
    Emit(site, &context, fields, fmt::string_view(format), fmt::make_format_args(args...));
  }

  // A record whose message is already made, for bridges from other logging
  // libraries (spdlog_bridge.h). Checks the level itself; no rate limit.
  void LogMessage(LogLevel level, std::string_view message, LogFields fields = {},
                  const LogOrigin& origin = {});

  // Flushes every sink of the pipeline, then aborts. Used by TAI_LOG_FATAL.
  [[noreturn]] void FlushAndAbort();

 private:
  friend class LogPipeline;
  Logger(LogPipeline* pipeline, std::string_view name, LogLevel global);

  void Emit(LogSite& site, const SpanContext* context, LogFields fields, fmt::string_view format,
            fmt::format_args args);
  // Writes one record into the queue; formats `format` with `args`, or
  // takes it as the message when `args` is null.
  void Write(LogLevel level, const LogOrigin& origin, uint64_t suppressed, int64_t now,
             LogFields fields, fmt::string_view format, const fmt::format_args* args);
  void UpdateEffective(LogLevel global);

  LogPipeline* const pipeline_;
  const std::string_view name_;
  std::atomic<uint8_t> min_level_;
  std::atomic<uint8_t> own_level_{0};  // 0: follow the pipeline
};

}  // namespace tai

// TAI_LOG(logger, level, [context,] [{fields},] format, args...)
// `level` must be a constant expression.
#define TAI_LOG(logger, level, ...) TAI_LOG_SITE_(logger, level, 0, __VA_ARGS__)
// At most `per_second` records a second from this call site; the first one
// after a pause carries the count of those dropped.
#define TAI_LOG_RATE_LIMITED(logger, level, per_second, ...) \
  TAI_LOG_SITE_(logger, level, per_second, __VA_ARGS__)

#define TAI_LOG_TRACE(logger, ...) TAI_LOG(logger, ::tai::LogLevel::kTrace, __VA_ARGS__)
#define TAI_LOG_DEBUG(logger, ...) TAI_LOG(logger, ::tai::LogLevel::kDebug, __VA_ARGS__)
#define TAI_LOG_INFO(logger, ...) TAI_LOG(logger, ::tai::LogLevel::kInfo, __VA_ARGS__)
#define TAI_LOG_WARN(logger, ...) TAI_LOG(logger, ::tai::LogLevel::kWarn, __VA_ARGS__)
#define TAI_LOG_ERROR(logger, ...) TAI_LOG(logger, ::tai::LogLevel::kError, __VA_ARGS__)
#define TAI_LOG_FATAL(logger, ...) TAI_LOG(logger, ::tai::LogLevel::kFatal, __VA_ARGS__)

#define TAI_LOG_SITE_(logger, level, per_second, ...)                                        \
  do {                                                                                       \
    ::tai::Logger& tai_logger_ = (logger);                                                   \
    constexpr ::tai::LogLevel tai_level_ = (level);                                          \
    if (tai_logger_.Enabled(tai_level_)) [[unlikely]] {                                      \
      static constinit ::tai::LogSite tai_site_(tai_level_, std::source_location::current(), \
                                                (per_second));                               \
      tai_logger_.Log(tai_site_, __VA_ARGS__);                                               \
    }                                                                                        \
    if constexpr (tai_level_ == ::tai::LogLevel::kFatal) tai_logger_.FlushAndAbort();        \
  } while (0)

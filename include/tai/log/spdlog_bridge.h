// SpdlogBridgeSink: an spdlog sink that sends what an application already
// logs with spdlog (Debian libspdlog-dev) through the tai log pipeline, so
// its records get trace correlation, redaction, rate-limited drops, the
// Cloud Logging JSON format and every other tai sink.
//
//   auto sink = std::make_shared<tai::SpdlogBridgeSink>(obs->logs());
//   auto logger = std::make_shared<spdlog::logger>("payments", sink);
//   SPDLOG_LOGGER_INFO(logger, "paid {}", cents);  // -> tai logger "payments"
//
// Each spdlog logger name maps to the tai logger of the same name; levels
// map trace/debug/info/warn/error to the same tai levels and critical to
// FATAL's severity (without aborting: spdlog's critical does not). The
// message is spdlog's formatted payload; the source location is spdlog's
// when given (the SPDLOG_LOGGER_* macros). Attach the sink to synchronous
// spdlog loggers: the tai pipeline is already asynchronous, and spdlog's
// async loggers would call the sink on their own thread, where the
// caller's span is not current.
//
// Header-only so that the library itself does not depend on spdlog; link
// spdlog where this header is used. Thread-safe (spdlog's base_sink
// locks); the pipeline must outlive the sink.
#pragma once

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tai/log/log_pipeline.h"

namespace tai {

inline LogLevel FromSpdlogLevel(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return LogLevel::kTrace;
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::info:
      return LogLevel::kInfo;
    case spdlog::level::warn:
      return LogLevel::kWarn;
    case spdlog::level::err:
      return LogLevel::kError;
    case spdlog::level::critical:
      return LogLevel::kFatal;
    default:
      return LogLevel::kOff;
  }
}

class SpdlogBridgeSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit SpdlogBridgeSink(LogPipeline& pipeline) : pipeline_(pipeline) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    LogLevel level = FromSpdlogLevel(msg.level);
    if (level == LogLevel::kOff) return;
    Logger& logger = LoggerFor(std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    LogOrigin origin;
    if (!msg.source.empty()) {
      origin.file = msg.source.filename;
      origin.line = static_cast<uint32_t>(msg.source.line);
      origin.function = msg.source.funcname ? msg.source.funcname : "";
    }
    logger.LogMessage(level, std::string_view(msg.payload.data(), msg.payload.size()), {}, origin);
  }
  void flush_() override {}

 private:
  // Called under base_sink's mutex.
  Logger& LoggerFor(std::string_view name) {
    auto it = loggers_.find(std::string(name));
    if (it == loggers_.end()) it = loggers_.emplace(name, &pipeline_.GetLogger(name)).first;
    return *it->second;
  }

  LogPipeline& pipeline_;
  std::unordered_map<std::string, Logger*> loggers_;
};

}  // namespace tai

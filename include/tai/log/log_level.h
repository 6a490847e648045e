// LogLevel: the severity of a log record, from TRACE to FATAL, numbered as
// OpenTelemetry's SeverityNumber (TRACE=1, DEBUG=5, INFO=9, WARN=13,
// ERROR=17, FATAL=21) so that exporters pass the number through; kOff is a
// minimum level that lets nothing through.
//
// Free functions and a value type; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/status.h"

namespace tai {

enum class LogLevel : uint8_t {
  kTrace = 1,
  kDebug = 5,
  kInfo = 9,
  kWarn = 13,
  kError = 17,
  kFatal = 21,
  kOff = 255,
};

// "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF".
std::string_view LogLevelName(LogLevel level);
// Accepts the names above in any case, and "warning", "err", "critical".
Result<LogLevel> ParseLogLevel(std::string_view text);

// Parses a level spec as LogPipeline::SetLevels takes it ("warn,payments=debug"):
// the global level (logger name "") and per-logger levels, in order. An
// unknown level or an item without a logger name before '=' is an error
// naming the item.
Result<std::vector<std::pair<std::string, LogLevel>>> ParseLogLevels(std::string_view spec);

}  // namespace tai

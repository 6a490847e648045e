#include "tai/log/log_level.h"

#include <string>

namespace tai {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "TRACE";
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kFatal:
      return "FATAL";
    case LogLevel::kOff:
      return "OFF";
  }
  return "UNKNOWN";
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (c != ' ' && c != '\t') t += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (t == "trace") return LogLevel::kTrace;
  if (t == "debug") return LogLevel::kDebug;
  if (t == "info") return LogLevel::kInfo;
  if (t == "warn" || t == "warning") return LogLevel::kWarn;
  if (t == "error" || t == "err") return LogLevel::kError;
  if (t == "fatal" || t == "critical") return LogLevel::kFatal;
  if (t == "off" || t == "none") return LogLevel::kOff;
  return InvalidArgumentError("log level '" + std::string(text) +
                              "' is not one of trace, debug, info, warn, error, fatal, off");
}

}  // namespace tai

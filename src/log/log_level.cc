#include "tai/log/log_level.h"

#include <string>

#include "core/enum_names.h"

namespace tai {

namespace {

constexpr internal::EnumNames<LogLevel, 7> kLevelNames{{
    {LogLevel::kTrace, "TRACE"},
    {LogLevel::kDebug, "DEBUG"},
    {LogLevel::kInfo, "INFO"},
    {LogLevel::kWarn, "WARN"},
    {LogLevel::kError, "ERROR"},
    {LogLevel::kFatal, "FATAL"},
    {LogLevel::kOff, "OFF"},
}};

// What ParseLogLevel takes besides the names: the spellings of other
// logging libraries.
constexpr internal::EnumNames<LogLevel, 4> kLevelAliases{{
    {LogLevel::kWarn, "warning"},
    {LogLevel::kError, "err"},
    {LogLevel::kFatal, "critical"},
    {LogLevel::kOff, "none"},
}};

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  return internal::NameOf(kLevelNames, level, "UNKNOWN");
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (c != ' ' && c != '\t') t += c;
  }
  if (auto level = internal::ValueNamed(kLevelNames, t)) return *level;
  if (auto level = internal::ValueNamed(kLevelAliases, t)) return *level;
  return InvalidArgumentError("log level '" + std::string(text) +
                              "' is not one of trace, debug, info, warn, error, fatal, off");
}

}  // namespace tai

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

namespace {

Result<std::pair<std::string, LogLevel>> ParseLevelItem(std::string_view item) {
  size_t eq = item.find('=');
  if (eq == std::string_view::npos) {
    TAI_ASSIGN_OR_RETURN(auto level, ParseLogLevel(item));
    return std::pair<std::string, LogLevel>{"", level};
  }
  std::string_view name = item.substr(0, eq);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.empty()) return InvalidArgumentError("'" + std::string(item) + "' has no logger name");
  TAI_ASSIGN_OR_RETURN(auto level, ParseLogLevel(item.substr(eq + 1)));
  return std::pair<std::string, LogLevel>{std::string(name), level};
}

}  // namespace

Result<std::vector<std::pair<std::string, LogLevel>>> ParseLogLevels(std::string_view spec) {
  std::vector<std::pair<std::string, LogLevel>> items;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string_view item =
        spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (item.find_first_not_of(' ') != std::string_view::npos) {
      TAI_ASSIGN_OR_RETURN(auto parsed, ParseLevelItem(item));
      items.push_back(std::move(parsed));
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return items;
}

}  // namespace tai

// Internal: replaces the values of sensitive fields ("password", "token",
// "authorization"...) with "[REDACTED]", in a record's fields and in
// key=value / key: value pairs of its message. Used by the log pipeline's
// drainer before any sink sees a record.
//
// Not thread-safe (it caches per key whether it is sensitive); one per
// pipeline, used under the drain lock.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tai/log_record.h"

namespace tai::internal {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
 public:
  explicit Redactor(const std::vector<std::string>& keys);

  // True when `key`, lower-cased, contains one of the configured keys.
  bool IsSensitive(std::string_view key);
  // Redacts the record in place; returns how many values were replaced.
  size_t Apply(LogRecord& record);
  // Redacts `key=value` and `key: value` pairs in free text; returns how
  // many values were replaced.
  size_t RedactText(std::string& text);

 private:
  bool Matches(std::string_view key) const;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::vector<std::string> keys_;  // lower-case
  std::unordered_map<std::string, bool, Hash, std::equal_to<>> cache_;
  LogRecord scratch_;
};

}  // namespace tai::internal

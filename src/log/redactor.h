// Internal: replaces the values of sensitive fields ("password", "token",
// "authorization"...) with "[REDACTED]", in a record's fields and in
// key=value / key: value pairs of its message. Used by the log pipeline's
// drainer before any sink sees a record.
//
// Not thread-safe (it caches per key whether it is sensitive); one per
// pipeline, used under the drain lock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tai/log/log_record.h"

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

  // Field keys repeat, so whether one is sensitive is remembered in a
  // direct-mapped cache (FNV-1a of the key picks the entry; a collision
  // replaces it). Cheaper than a hash map on the drainer's per-field path.
  struct CacheEntry {
    std::string key;
    bool used = false;
    bool sensitive = false;
  };
  static constexpr size_t kCacheSize = 512;
  std::vector<std::string> keys_;  // lower-case
  std::vector<CacheEntry> cache_;
  LogRecord scratch_;
};

}  // namespace tai::internal

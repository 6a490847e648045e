// Internal: the dashboard API's query parameters: repeated keys, times
// (RFC 3339, Unix seconds, "now", "now-1h") and durations ("250ms", "7d").
// Every error names what was wrong with the text; the caller adds which
// parameter it came from.
//
// Free functions over their arguments only: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/status.h"

namespace tai::internal {

// Every key=value pair of a raw query string in order, percent-decoded and
// '+' read as a space; a key may repeat ("match[]=a&match[]=b").
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query);

// "2026-01-25T10:30:00Z", "2026-01-25T10:30:00.5+02:00" -> Unix nanoseconds.
Result<int64_t> ParseRfc3339(std::string_view text);

// "250ms", "10s", "5m", "2h", "7d", "1w"; a bare number is seconds.
Result<int64_t> ParseDurationNanos(std::string_view text);

// An RFC 3339 time, Unix seconds ("1700000000", "1700000000.25"), "now",
// or "now-<duration>" / "now+<duration>", against `now_nanos`.
Result<int64_t> ParseTimeParam(std::string_view text, int64_t now_nanos);

}  // namespace tai::internal

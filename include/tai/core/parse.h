// Parsers for the small textual values that configuration is made of:
// durations ("250ms", "10s"), times ("now-1h", RFC 3339), host:port addresses, comma lists,
// key=value lists (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS), booleans and counts.
// Every error says what was wrong with the text; callers add which setting it came from.
//
// Free functions over their arguments only: thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/status.h"

namespace tai {

// "10s", "250ms", "1m", "2h", "1.5s"; a bare number is seconds.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "127.0.0.1:9464", "[::1]:80", "localhost:0" -> host and port.
Status ParseHostPort(std::string_view text, std::string* host, int* port);
// "k1=v1, k2=v%20two": pairs in order, keys and values trimmed, values
// percent-decoded.
Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueList(std::string_view text);
// "%20" and the like decoded; a malformed escape is kept as it is.
std::string PercentDecode(std::string_view raw);
// "a, b,,c" -> {"a", "b", "c"}: items trimmed, empty ones left out.
std::vector<std::string> ParseList(std::string_view text);
// true/1/on/yes and false/0/off/no, in any case.
Result<bool> ParseBool(std::string_view text);
// A whole number of at least 1 ("2048").
Result<size_t> ParsePositiveCount(std::string_view text);
// OK for an http:// or https:// URL with a host and, if given, a port in
// 1-65535, and no spaces or control characters; else an error naming it.
Status ValidateHttpUrl(std::string_view url);
// OK for a header name made of token characters and a value without
// control characters (a CR or LF would start a header of its own).
Status ValidateHttpHeader(std::string_view name, std::string_view value);

// Times, as the dashboard's API and `taiobs query` take them (parse_time.cc).
// "2026-01-25T10:30:00Z", "2026-01-25T10:30:00.5+02:00" -> Unix nanoseconds.
Result<int64_t> ParseRfc3339(std::string_view text);
// "250ms", "10s", "5m", "2h", "7d", "1w"; a bare number is seconds.
Result<int64_t> ParseDurationNanos(std::string_view text);
// An RFC 3339 time, Unix seconds ("1700000000", "1700000000.25"), "now",
// or "now-<duration>" / "now+<duration>", against `now_nanos`.
Result<int64_t> ParseTime(std::string_view text, int64_t now_nanos);

}  // namespace tai

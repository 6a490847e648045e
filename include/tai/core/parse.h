// Parsers for the small textual values that configuration is made of:
// durations ("250ms", "10s"), host:port addresses, comma lists, key=value
// lists (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS), booleans and
// counts. Every error says what was wrong with the text; callers add which
// setting it came from.
//
// Free functions over their arguments only: thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
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

}  // namespace tai

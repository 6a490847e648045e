// Internal: appending numbers and JSON strings to a std::string without
// going through streams (hot in exporters and the log formatter).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tai::internal {

void AppendInt(std::string& out, int64_t v);
void AppendUint(std::string& out, uint64_t v);
// Shortest text that reads back to the same double; "NaN", "+Inf", "-Inf" for
// the non-finite values (the Prometheus spelling).
void AppendDouble(std::string& out, double v);
// A JSON string literal with quotes. Control characters are escaped, and
// bytes that are not valid UTF-8 become U+FFFD, so the output is always
// valid JSON whatever the input.
void AppendJsonString(std::string& out, std::string_view s);
// A JSON number; non-finite values as the strings "NaN", "Infinity" and
// "-Infinity" (the proto3 JSON mapping), so the output stays valid JSON.
void AppendJsonDouble(std::string& out, double v);
// Lower-case hex of the bytes.
void AppendHex(std::string& out, const uint8_t* bytes, size_t n);
// Lower-case hex of the bytes into out[0, 2n), for callers that format
// into a stack buffer (the traceparent header, without an allocation).
void WriteHex(char* out, const uint8_t* bytes, size_t n);
// Reads `hex` (2n lower-case hex digits, nothing else) into out[0, n);
// false, with out unspecified, on any other length or character.
bool ParseLowerHex(std::string_view hex, uint8_t* out, size_t n);
// printf into a std::string of whatever length the result needs.
__attribute__((format(printf, 1, 2))) std::string StringPrintf(const char* format, ...);

}  // namespace tai::internal

namespace tai::internal {
// The value of a lower-case hex digit, or -1 (W3C ids and flags allow no
// upper case).
int LowerHexDigit(char c);
// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace).
std::string_view TrimSpaces(std::string_view s);
// ASCII case-insensitive equality (header names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string AsciiLower(std::string_view s);
// `s` as a Google Cloud label key or value (Cloud Monitoring userLabels):
// lower case, characters outside [a-z0-9_-] as '_', at most 63 characters.
std::string GoogleLabelText(std::string_view s);
// The longest prefix of at most `max_bytes` that does not split a UTF-8
// character (limits on attribute values and names are in bytes).
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);
// True when `s` is well-formed UTF-8 (no overlongs, surrogates or stray bytes).
bool IsValidUtf8(std::string_view s);
}  // namespace tai::internal

// libFuzzer target for the parsers of configuration values (tai/core/parse.h):
// durations, host:port, key=value lists (OTEL_RESOURCE_ATTRIBUTES,
// OTEL_EXPORTER_OTLP_HEADERS), lists, booleans, counts, URLs and headers.
// Environment variables are untrusted text. The input is split at newlines
// into values; each parser sees each value. Beyond not crashing, it checks
// what each parser promises of what it accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/parse.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool HasLineBreak(std::string_view s) {
  return s.find('\r') != std::string_view::npos || s.find('\n') != std::string_view::npos;
}

void ParseOne(std::string_view text) {
  if (auto d = tai::ParseDuration(text); d.ok()) Check(d->count() >= 0);
  std::string host;
  int port = -1;
  if (tai::ParseHostPort(text, &host, &port).ok()) Check(port >= 0 && port <= 65535);
  if (auto kv = tai::ParseKeyValueList(text); kv.ok()) {
    for (const auto& [k, v] : *kv) Check(!k.empty());
  }
  Check(tai::PercentDecode(text).size() <= text.size());
  for (const std::string& item : tai::ParseList(text)) {
    Check(!item.empty() && item.front() != ' ' && item.back() != ' ');
  }
  (void)tai::ParseBool(text);
  if (auto n = tai::ParsePositiveCount(text); n.ok()) Check(*n >= 1);
  if (tai::ValidateHttpUrl(text).ok()) {
    Check(text.starts_with("http://") || text.starts_with("https://"));
    Check(!HasLineBreak(text));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseOne(input);
  std::vector<std::string_view> values;
  for (size_t start = 0; start <= input.size() && values.size() < 8;) {
    size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    values.push_back(input.substr(start, nl - start));
    start = nl + 1;
  }
  for (std::string_view v : values) ParseOne(v);
  if (values.size() >= 2 && tai::ValidateHttpHeader(values[0], values[1]).ok()) {
    Check(!HasLineBreak(values[0]) && !HasLineBreak(values[1]));
  }
  return 0;
}

// libFuzzer target for the log level spec ("warn,payments=debug"), read from
// TAI_LOG_LEVEL and from PUT /api/log/levels. Beyond not crashing, it checks
// a round trip: what parses, written back as a spec, parses to the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tai/log/log_level.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)tai::ParseLogLevel(input);
  auto items = tai::ParseLogLevels(input);
  if (!items.ok()) return 0;
  std::string spec;
  for (const auto& [name, level] : *items) {
    Check(name.empty() || (name.front() != ' ' && name.back() != ' '));
    Check(name.find(',') == std::string::npos);
    if (!spec.empty()) spec += ',';
    if (!name.empty()) spec += name + "=";
    spec += std::string(tai::LogLevelName(level));
  }
  auto again = tai::ParseLogLevels(spec);
  Check(again.ok() && *again == *items);
  return 0;
}

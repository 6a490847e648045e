// libFuzzer target for the dashboard API's query parameters: the query
// string, times (RFC 3339, Unix seconds, now-<duration>) and durations, all
// from the URL of a request. Beyond not crashing (UBSan checks the
// arithmetic on times), it checks that decoding never grows the text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dashboard/query_params.h"
#include "tai/core/parse.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t total = 0;
  for (const auto& [k, v] : tai::internal::ParseQueryString(input)) total += k.size() + v.size();
  Check(total <= input.size());
  (void)tai::ParseRfc3339(input);
  if (auto d = tai::ParseDurationNanos(input); d.ok()) Check(*d >= 0);
  (void)tai::ParseTime(input, 1'700'000'000'000'000'000);
  return 0;
}

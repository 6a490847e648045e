// libFuzzer target for the pprof decoder (with its gzip inflate) and what
// `taiobs` does with a decoded profile: top, collapse and the flame graph.
// Profiles from other tools are untrusted input. Beyond not crashing or
// exhausting memory (small limits keep each input cheap), it checks a round
// trip: what decodes, encodes and decodes back to the same profile.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tai/analysis/flame_graph.h"
#include "tai/profile/pprof.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const tai::PprofLimits limits{
      .max_file_bytes = 1 << 20, .max_inflated_bytes = 4 << 20, .max_decoded_bytes = 32 << 20};
  auto p = tai::DecodePprof(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!p.ok()) return 0;
  auto again = tai::DecodePprof(tai::EncodePprof(*p), limits);
  Check(again.ok() && *again == *p);
  if (p->samples.size() > 10'000) return 0;
  (void)p->HotPaths(10);
  (void)p->HotPathsCumulative(10);
  (void)tai::CollapsedStacks(*p);
  (void)tai::FlameGraphSvg(*p, {.max_depth = 64});
  return 0;
}

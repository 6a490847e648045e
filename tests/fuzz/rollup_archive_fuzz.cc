// libFuzzer target for a line of the rollup archive (a day of daily rollups
// in the archive directory, which anyone who can write there can alter).
// Beyond not crashing, a line that parses must write back to a line that
// parses to the same text again: what the reader accepts, the writer can
// say.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/rollup_archive_io.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto row = tai::internal::ParseRollupArchiveLine(input);
  if (!row.ok()) {
    Check(!row.status().message().empty());
    return 0;
  }
  const std::string line = tai::internal::RollupArchiveLine(*row);
  auto again = tai::internal::ParseRollupArchiveLine(line);
  Check(again.ok());
  Check(tai::internal::RollupArchiveLine(*again) == line);
  return 0;
}

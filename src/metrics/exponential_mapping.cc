#include "metrics/exponential_mapping.h"

#include <cmath>

namespace tai::internal {
namespace {

// GCC evaluates std::exp2 at compile time, so the tables are built into the
// binary; clang (the fuzz build) cannot, and builds them at start-up, before
// main, which is before any metric can record.
#if defined(__clang__)
#define TAI_TABLES_CONSTEXPR
#define TAI_TABLES_CONSTINIT
#else
#define TAI_TABLES_CONSTEXPR constexpr
#define TAI_TABLES_CONSTINIT constinit
#endif

TAI_TABLES_CONSTEXPR ExponentialTables MakeTables() {
  ExponentialTables t{};
  for (int k = 0; k <= kSubBuckets; ++k) {
    t.boundary[static_cast<size_t>(k)] = std::exp2(static_cast<double>(k) / kSubBuckets);
  }
  t.boundary[kSubBuckets] = 2.0;
  int k = 0;
  for (int j = 0; j < (1 << kMantissaTableBits); ++j) {
    double lower = 1.0 + static_cast<double>(j) / (1 << kMantissaTableBits);
    while (k + 1 < kSubBuckets && t.boundary[static_cast<size_t>(k) + 1] < lower) ++k;
    t.first_bucket[static_cast<size_t>(j)] = static_cast<uint8_t>(k);
  }
  return t;
}

}  // namespace

TAI_TABLES_CONSTINIT const ExponentialTables kExponentialTables = MakeTables();

double ExponentialLowerBoundary(int32_t index, int scale) {
  if (scale < 0) {
    // base = 2^(2^-scale): boundaries are whole powers of two.
    return std::ldexp(1.0, index * (1 << -scale));
  }
  const int per_octave = 1 << scale;
  int32_t octave = index >> scale;  // floor division
  int32_t within = index - octave * per_octave;
  return std::ldexp(kExponentialTables.boundary[static_cast<size_t>(within << (kMaxScale - scale))],
                    octave);
}

}  // namespace tai::internal

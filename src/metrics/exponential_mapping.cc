#include "metrics/exponential_mapping.h"

#include <array>
#include <bit>
#include <cmath>

namespace tai::internal {
namespace {

constexpr int kSubBuckets = 1 << kMaxScale;  // buckets per octave at kMaxScale
constexpr int kTableBits = 10;               // cells narrower than any bucket

struct Tables {
  // boundary[k] = 2^(k/64), k = 0..64: bucket k of an octave is (boundary[k], boundary[k+1]].
  std::array<double, kSubBuckets + 1> boundary;
  // first_bucket[j]: the bucket holding the lower edge of mantissa cell j.
  std::array<uint8_t, 1 << kTableBits> first_bucket;

  Tables() {
    for (int k = 0; k <= kSubBuckets; ++k) boundary[k] = std::exp2(static_cast<double>(k) / kSubBuckets);
    boundary[kSubBuckets] = 2.0;
    int k = 0;
    for (int j = 0; j < (1 << kTableBits); ++j) {
      double lower = 1.0 + static_cast<double>(j) / (1 << kTableBits);
      while (k + 1 < kSubBuckets && boundary[k + 1] < lower) ++k;
      first_bucket[j] = static_cast<uint8_t>(k);
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace

int32_t ExponentialIndex(double v) {
  const Tables& t = GetTables();
  uint64_t bits = std::bit_cast<uint64_t>(v);
  int32_t exp_field = static_cast<int32_t>((bits >> 52) & 0x7ff);
  if (exp_field == 0) {
    // Subnormal: scale into the normal range, then correct the exponent.
    bits = std::bit_cast<uint64_t>(v * 0x1p64);
    exp_field = static_cast<int32_t>((bits >> 52) & 0x7ff) - 64;
  }
  const int32_t e = exp_field - 1023;
  const uint64_t frac = bits & ((uint64_t{1} << 52) - 1);
  if (frac == 0) return e * kSubBuckets - 1;  // exact powers of two close a bucket
  const double m = std::bit_cast<double>(frac | (uint64_t{1023} << 52));  // in (1, 2)
  int k = t.first_bucket[frac >> (52 - kTableBits)];
  if (m > t.boundary[k + 1]) ++k;
  return e * kSubBuckets + k;
}

double ExponentialLowerBoundary(int32_t index, int scale) {
  if (scale < 0) {
    // base = 2^(2^-scale): boundaries are whole powers of two.
    return std::ldexp(1.0, index * (1 << -scale));
  }
  const int per_octave = 1 << scale;
  int32_t octave = index >> scale;  // floor division
  int32_t within = index - octave * per_octave;
  return std::ldexp(GetTables().boundary[static_cast<size_t>(within << (kMaxScale - scale))], octave);
}

}  // namespace tai::internal

// Internal: the exponential bucket mapping shared by histograms, their
// snapshots and the exporters (OpenTelemetry exponential histograms and
// Prometheus native histograms use the same one).
//
// At scale s the base is 2^(2^-s) and bucket i holds values in
// (base^i, base^(i+1)]. Indices are computed once at kMaxScale with a table
// lookup on the mantissa (no log() call) and shifted right to coarser scales,
// which is exact because boundaries of scale s are also boundaries of s+1.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace tai::internal {

inline constexpr int kMaxScale = 6;  // 64 buckets per power of two
inline constexpr int kMinScale = -4;
inline constexpr int kSubBuckets = 1 << kMaxScale;
inline constexpr int kMantissaTableBits = 10;  // table cells narrower than any bucket

struct ExponentialTables {
  // boundary[k] = 2^(k/64): bucket k of an octave is (boundary[k], boundary[k+1]].
  std::array<double, kSubBuckets + 1> boundary;
  // first_bucket[j]: the bucket holding the lower edge of mantissa cell j.
  std::array<uint8_t, 1 << kMantissaTableBits> first_bucket;
};
// Built at compile time, so usable during static initialisation.
extern const ExponentialTables kExponentialTables;

// Bucket index at kMaxScale of a positive finite value.
inline int32_t ExponentialIndex(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  int32_t exp_field = static_cast<int32_t>((bits >> 52) & 0x7ff);
  if (exp_field == 0) [[unlikely]] {
    // Subnormal: scale into the normal range, then correct the exponent.
    bits = std::bit_cast<uint64_t>(v * 0x1p64);
    exp_field = static_cast<int32_t>((bits >> 52) & 0x7ff) - 64;
  }
  const int32_t e = exp_field - 1023;
  const uint64_t frac = bits & ((uint64_t{1} << 52) - 1);
  if (frac == 0) return e * kSubBuckets - 1;  // exact powers of two close a bucket
  const double m = std::bit_cast<double>(frac | (uint64_t{1023} << 52));  // in (1, 2)
  int k = kExponentialTables.first_bucket[frac >> (52 - kMantissaTableBits)];
  k += m > kExponentialTables.boundary[static_cast<size_t>(k) + 1];
  return e * kSubBuckets + k;
}

// base^index at `scale`: the lower (exclusive) boundary of bucket `index`.
double ExponentialLowerBoundary(int32_t index, int scale);
// Index at a coarser scale: `by` steps down. Floors for negative indices.
inline int32_t DownscaleIndex(int32_t index, int by) { return index >> by; }

}  // namespace tai::internal

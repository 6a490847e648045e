// Internal: the exponential bucket mapping shared by histograms, their
// snapshots and the exporters (OpenTelemetry exponential histograms and
// Prometheus native histograms use the same one).
//
// At scale s the base is 2^(2^-s) and bucket i holds values in
// (base^i, base^(i+1)]. Indices are computed once at kMaxScale with a table
// lookup on the mantissa (no log() call) and shifted right to coarser scales,
// which is exact because boundaries of scale s are also boundaries of s+1.
#pragma once

#include <cstdint>

namespace tai::internal {

inline constexpr int kMaxScale = 6;  // 64 buckets per power of two
inline constexpr int kMinScale = -4;

// Bucket index at kMaxScale of a positive finite value.
int32_t ExponentialIndex(double positive_value);
// base^index at `scale`: the lower (exclusive) boundary of bucket `index`.
double ExponentialLowerBoundary(int32_t index, int scale);
// Index at a coarser scale: `by` steps down. Floors for negative indices.
inline int32_t DownscaleIndex(int32_t index, int by) { return index >> by; }

}  // namespace tai::internal

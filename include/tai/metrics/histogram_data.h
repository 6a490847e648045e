// HistogramData: an immutable-once-made, mergeable snapshot of a histogram,
// the form in which histograms leave the hot path (collection, export,
// queries).
//
// Two layouts:
//  - exponential (default): bucket i at scale s holds (base^i, base^(i+1)]
//    with base = 2^(2^-s), as OpenTelemetry exponential histograms and
//    Prometheus native histograms define it. A percentile is reported as the
//    point of its bucket that minimises relative error, so any percentile is
//    within RelativeErrorBound() = (base-1)/(base+1) of the exact value:
//    0.54% at scale 6, 1.1% at 5, 2.2% at 4, 4.3% at 3. The scale is the
//    finest at which the data's range fits the bucket budget
//    (docs/metrics.md explains the choice against DDSketch).
//  - explicit: user-given upper bounds, for Prometheus classic histograms;
//    percentiles are interpolated inside a bucket and carry no bound.
//
// Both keep count, sum, min, max and the sum of squared deviation from the
// mean (for variance), merged with Chan et al.'s parallel formula.
//
// A value type. Not synchronised.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "tai/core/status.h"

namespace tai {

struct ExponentialBuckets {
  int32_t offset = 0;            // index of counts[0]
  std::vector<uint64_t> counts;  // counts[k] is bucket offset + k
  bool empty() const { return counts.empty(); }
};

class HistogramData {
 public:
  enum class Layout { kExponential, kExplicit };

  // An empty exponential histogram at the finest scale.
  HistogramData();
  // An empty histogram with explicit upper bounds (strictly increasing, finite).
  static Result<HistogramData> WithExplicitBounds(std::vector<double> bounds);

  Layout layout() const { return layout_; }
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  // min/max are NaN when unknown (delta snapshots) and for an empty histogram.
  double min() const {
    return count_ && minmax_known_ ? min_ : std::numeric_limits<double>::quiet_NaN();
  }
  double max() const {
    return count_ && minmax_known_ ? max_ : std::numeric_limits<double>::quiet_NaN();
  }
  double mean() const { return count_ ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
  double sum_of_squared_deviation() const { return m2_; }
  double variance() const { return count_ ? m2_ / static_cast<double>(count_) : 0.0; }

  // Exponential layout.
  int scale() const { return scale_; }
  uint64_t zero_count() const { return zero_count_; }
  const ExponentialBuckets& positive() const { return positive_; }
  const ExponentialBuckets& negative() const { return negative_; }  // by |value|
  double RelativeErrorBound() const;                                // NaN for the explicit layout

  // Explicit layout: bucket k holds (bounds[k-1], bounds[k]]; the last is +Inf.
  const std::vector<double>& bounds() const { return bounds_; }
  const std::vector<uint64_t>& bucket_counts() const { return bucket_counts_; }

  // The value at quantile q in [0, 1] by nearest rank (the ceil(q*count)-th
  // smallest value); NaN when empty. q=0 and q=1 give min and max when known.
  double Percentile(double q) const;

  // How many observations are at or below `bound`, estimated from the
  // buckets: buckets wholly at or below count fully, buckets wholly above not
  // at all, and the one bucket that straddles the bound (its edges clamped to
  // min and max when they are known) contributes in proportion to the part
  // of its range at or below the bound (linear interpolation). So the error
  // is at most that bucket's count: for the exponential layout the
  // observations in (bound/base, bound*base]. A straddling bucket with an
  // infinite edge (explicit layout, min or max unknown) counts as above.
  double CountAtOrBelow(double bound) const;

  // Slow-path recording, for building snapshots outside the hot path. NaN and
  // infinities are ignored (the hot path counts them as rejected).
  void Record(double value, uint64_t times = 1);
  // Adds `other` in; the exponential layout lowers the scale as needed; two
  // explicit histograms must have the same bounds.
  Status Merge(const HistogramData& other);
  // this minus an earlier cumulative snapshot of the same series: the delta
  // since then. min/max of a delta are unknown (NaN).
  HistogramData DeltaSince(const HistogramData& earlier) const;
  // Lowers the scale by `by` steps (merging 2^by neighbouring buckets).
  void Downscale(int by);
  // Keeps at most `max_buckets` buckets per sign by lowering the scale.
  void LimitBuckets(size_t max_buckets);

  // Every populated bucket in value order: (lower, upper, count). The zero
  // bucket, if populated, is reported as (0, 0, n).
  void ForEachBucket(
      const std::function<void(double lower, double upper, uint64_t count)>& fn) const;

  // Internal: folds in pre-aggregated data from a hot-path shard.
  void AddStats(uint64_t count, double sum, double min, double max, double mean, double m2);
  void AddExponentialBucket(bool negative, int32_t index, int index_scale, uint64_t count);
  void AddZero(uint64_t count) { zero_count_ += count; }
  void AddExplicitBucket(size_t bucket, uint64_t count) { bucket_counts_[bucket] += count; }
  void MarkMinMaxUnknown();

 private:
  double BucketValueEstimate(bool negative, int32_t index) const;
  static void AddToBuckets(ExponentialBuckets& b, int32_t index, uint64_t count);
  static void DownscaleBuckets(ExponentialBuckets& b, int by);
  int BucketsDownscaleNeeded(const ExponentialBuckets& b, int32_t lo, int32_t hi) const;

  Layout layout_ = Layout::kExponential;
  uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  double mean_ = 0;
  double m2_ = 0;
  bool minmax_known_ = true;

  int scale_;
  uint64_t zero_count_ = 0;
  ExponentialBuckets positive_;
  ExponentialBuckets negative_;
  size_t max_buckets_ = 320;

  std::vector<double> bounds_;
  std::vector<uint64_t> bucket_counts_;
};

}  // namespace tai

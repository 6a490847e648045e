#include "tai/metrics/histogram_data.h"

#include <algorithm>
#include <cmath>

#include "metrics/exponential_mapping.h"

namespace tai {

HistogramData::HistogramData() : scale_(internal::kMaxScale) {}

Result<HistogramData> HistogramData::WithExplicitBounds(std::vector<double> bounds) {
  if (bounds.empty()) return InvalidArgumentError("explicit histogram bounds are empty");
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      return InvalidArgumentError("explicit histogram bound " + std::to_string(i) +
                                  " is not finite");
    }
    if (i > 0 && !(bounds[i] > bounds[i - 1])) {
      return InvalidArgumentError("explicit histogram bounds must increase strictly; bound " +
                                  std::to_string(i) + " (" + std::to_string(bounds[i]) +
                                  ") is not above bound " + std::to_string(i - 1) + " (" +
                                  std::to_string(bounds[i - 1]) + ")");
    }
  }
  HistogramData h;
  h.layout_ = Layout::kExplicit;
  h.bucket_counts_.assign(bounds.size() + 1, 0);
  h.bounds_ = std::move(bounds);
  return h;
}

double HistogramData::RelativeErrorBound() const {
  if (layout_ != Layout::kExponential) return std::numeric_limits<double>::quiet_NaN();
  double base = std::exp2(std::ldexp(1.0, -scale_));
  return (base - 1) / (base + 1);
}

void HistogramData::AddStats(uint64_t n, double sum, double mn, double mx, double mean, double m2) {
  if (n == 0) return;
  if (count_ == 0) {
    mean_ = mean;
    m2_ = m2;
  } else {
    const double total = static_cast<double>(count_ + n);
    const double delta = mean - mean_;
    mean_ += delta * static_cast<double>(n) / total;
    m2_ += m2 + delta * delta * static_cast<double>(count_) * static_cast<double>(n) / total;
  }
  count_ += n;
  sum_ += sum;
  min_ = std::min(min_, mn);
  max_ = std::max(max_, mx);
}

void HistogramData::MarkMinMaxUnknown() {
  minmax_known_ = false;
  min_ = -std::numeric_limits<double>::infinity();
  max_ = std::numeric_limits<double>::infinity();
}

void HistogramData::Record(double v, uint64_t times) {
  if (!std::isfinite(v) || times == 0) return;
  AddStats(times, v * static_cast<double>(times), v, v, v, 0.0);
  if (layout_ == Layout::kExplicit) {
    size_t k =
        static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    bucket_counts_[k] += times;
  } else if (v == 0) {
    zero_count_ += times;
  } else {
    AddExponentialBucket(v < 0, internal::ExponentialIndex(std::fabs(v)), internal::kMaxScale,
                         times);
  }
}

void HistogramData::AddToBuckets(ExponentialBuckets& b, int32_t index, uint64_t count) {
  if (b.counts.empty()) {
    b.offset = index;
    b.counts.assign(1, count);
    return;
  }
  if (index < b.offset) {
    b.counts.insert(b.counts.begin(), static_cast<size_t>(b.offset - index), 0);
    b.offset = index;
  } else if (index >= b.offset + static_cast<int32_t>(b.counts.size())) {
    b.counts.resize(static_cast<size_t>(index - b.offset + 1), 0);
  }
  b.counts[static_cast<size_t>(index - b.offset)] += count;
}

void HistogramData::DownscaleBuckets(ExponentialBuckets& b, int by) {
  if (b.counts.empty() || by <= 0) return;
  const int32_t last = b.offset + static_cast<int32_t>(b.counts.size()) - 1;
  const int32_t new_offset = internal::DownscaleIndex(b.offset, by);
  std::vector<uint64_t> merged(
      static_cast<size_t>(internal::DownscaleIndex(last, by) - new_offset + 1), 0);
  for (size_t k = 0; k < b.counts.size(); ++k) {
    int32_t idx = internal::DownscaleIndex(b.offset + static_cast<int32_t>(k), by);
    merged[static_cast<size_t>(idx - new_offset)] += b.counts[k];
  }
  b.offset = new_offset;
  b.counts = std::move(merged);
}

void HistogramData::Downscale(int by) {
  if (by <= 0 || layout_ != Layout::kExponential) return;
  by = std::min(by, scale_ - internal::kMinScale);
  DownscaleBuckets(positive_, by);
  DownscaleBuckets(negative_, by);
  scale_ -= by;
}

int HistogramData::BucketsDownscaleNeeded(const ExponentialBuckets& b, int32_t lo,
                                          int32_t hi) const {
  if (!b.counts.empty()) {
    lo = std::min(lo, b.offset);
    hi = std::max(hi, b.offset + static_cast<int32_t>(b.counts.size()) - 1);
  }
  int by = 0;
  while (static_cast<size_t>(internal::DownscaleIndex(hi, by) - internal::DownscaleIndex(lo, by)) +
             1 >
         max_buckets_) {
    ++by;
  }
  return by;
}

void HistogramData::AddExponentialBucket(bool negative, int32_t index, int index_scale,
                                         uint64_t count) {
  if (count == 0) return;
  if (index_scale < scale_) Downscale(scale_ - index_scale);
  index = internal::DownscaleIndex(index, index_scale - scale_);
  ExponentialBuckets& b = negative ? negative_ : positive_;
  int by = BucketsDownscaleNeeded(b, index, index);
  if (by > 0) {
    Downscale(by);
    index = internal::DownscaleIndex(index, by);
  }
  AddToBuckets(b, index, count);
}

void HistogramData::LimitBuckets(size_t max_buckets) {
  max_buckets_ = std::max<size_t>(max_buckets, 2);
  while (positive_.counts.size() > max_buckets_ || negative_.counts.size() > max_buckets_) {
    Downscale(1);
  }
}

Status HistogramData::Merge(const HistogramData& other) {
  if (layout_ != other.layout_) {
    return InvalidArgumentError("cannot merge an exponential histogram with an explicit one");
  }
  if (layout_ == Layout::kExplicit) {
    if (bounds_ != other.bounds_) {
      return InvalidArgumentError("cannot merge explicit histograms with different bounds");
    }
    for (size_t k = 0; k < bucket_counts_.size(); ++k) bucket_counts_[k] += other.bucket_counts_[k];
  } else {
    if (other.scale_ < scale_) Downscale(scale_ - other.scale_);
    zero_count_ += other.zero_count_;
    for (int sign = 0; sign < 2; ++sign) {
      const ExponentialBuckets& b = sign ? other.negative_ : other.positive_;
      for (size_t k = 0; k < b.counts.size(); ++k) {
        AddExponentialBucket(sign == 1, b.offset + static_cast<int32_t>(k), other.scale_,
                             b.counts[k]);
      }
    }
  }
  AddStats(other.count_, other.sum_, other.min_, other.max_, other.mean_, other.m2_);
  if (!other.minmax_known_ && other.count_ > 0) MarkMinMaxUnknown();
  return Status::Ok();
}

HistogramData HistogramData::DeltaSince(const HistogramData& earlier) const {
  HistogramData d = *this;
  if (earlier.count_ == 0) return d;
  if (layout_ != earlier.layout_) return d;
  if (layout_ == Layout::kExplicit) {
    if (bounds_ != earlier.bounds_) return d;
    for (size_t k = 0; k < d.bucket_counts_.size(); ++k) {
      d.bucket_counts_[k] -= std::min(d.bucket_counts_[k], earlier.bucket_counts_[k]);
    }
  } else {
    HistogramData e = earlier;
    if (e.scale_ > d.scale_) e.Downscale(e.scale_ - d.scale_);
    if (d.scale_ > e.scale_) d.Downscale(d.scale_ - e.scale_);
    d.zero_count_ -= std::min(d.zero_count_, e.zero_count_);
    for (int sign = 0; sign < 2; ++sign) {
      ExponentialBuckets& db = sign ? d.negative_ : d.positive_;
      const ExponentialBuckets& eb = sign ? e.negative_ : e.positive_;
      for (size_t k = 0; k < eb.counts.size(); ++k) {
        int32_t pos = eb.offset + static_cast<int32_t>(k) - db.offset;
        if (pos < 0 || pos >= static_cast<int32_t>(db.counts.size())) continue;
        uint64_t& c = db.counts[static_cast<size_t>(pos)];
        c -= std::min(c, eb.counts[k]);
      }
    }
  }
  const uint64_t n = count_ - std::min(count_, earlier.count_);
  d.count_ = n;
  d.sum_ = sum_ - earlier.sum_;
  if (n == 0) {
    d.mean_ = 0;
    d.m2_ = 0;
  } else {
    const double nc = static_cast<double>(count_), np = static_cast<double>(earlier.count_);
    const double nd = static_cast<double>(n);
    d.mean_ = (nc * mean_ - np * earlier.mean_) / nd;
    const double delta = d.mean_ - earlier.mean_;
    d.m2_ = std::max(0.0, m2_ - earlier.m2_ - delta * delta * np * nd / nc);
  }
  d.MarkMinMaxUnknown();
  return d;
}

double HistogramData::BucketValueEstimate(bool negative, int32_t index) const {
  const double lower = internal::ExponentialLowerBoundary(index, scale_);
  const double upper = internal::ExponentialLowerBoundary(index + 1, scale_);
  // The point with equal relative distance to both ends of the bucket.
  const double estimate = 2 * lower * (upper / (lower + upper));
  return negative ? -estimate : estimate;
}

double HistogramData::Percentile(double q) const {
  if (count_ == 0 || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  if (minmax_known_ && q == 0.0) return min_;
  if (minmax_known_ && q == 1.0) return max_;
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_) - 1e-9)));
  auto clamp = [&](double v) { return minmax_known_ ? std::clamp(v, min_, max_) : v; };
  uint64_t seen = 0;
  if (layout_ == Layout::kExplicit) {
    for (size_t k = 0; k < bucket_counts_.size(); ++k) {
      const uint64_t c = bucket_counts_[k];
      if (c == 0 || seen + c < rank) {
        seen += c;
        continue;
      }
      double lower = k == 0 ? (minmax_known_ ? min_ : bounds_.front()) : bounds_[k - 1];
      double upper = k == bounds_.size() ? (minmax_known_ ? max_ : bounds_.back()) : bounds_[k];
      if (minmax_known_) {
        lower = std::max(lower, min_);
        upper = std::min(upper, max_);
      }
      const double within = static_cast<double>(rank - seen) / static_cast<double>(c);
      return clamp(lower + (upper - lower) * within);
    }
    return clamp(bounds_.back());
  }
  for (size_t k = negative_.counts.size(); k-- > 0;) {
    seen += negative_.counts[k];
    if (seen >= rank)
      return clamp(BucketValueEstimate(true, negative_.offset + static_cast<int32_t>(k)));
  }
  seen += zero_count_;
  if (seen >= rank) return clamp(0.0);
  for (size_t k = 0; k < positive_.counts.size(); ++k) {
    seen += positive_.counts[k];
    if (seen >= rank) {
      return clamp(BucketValueEstimate(false, positive_.offset + static_cast<int32_t>(k)));
    }
  }
  return minmax_known_ ? max_ : std::numeric_limits<double>::quiet_NaN();
}

void HistogramData::ForEachBucket(
    const std::function<void(double lower, double upper, uint64_t count)>& fn) const {
  if (layout_ == Layout::kExplicit) {
    const double inf = std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < bucket_counts_.size(); ++k) {
      if (bucket_counts_[k] == 0) continue;
      fn(k == 0 ? -inf : bounds_[k - 1], k == bounds_.size() ? inf : bounds_[k], bucket_counts_[k]);
    }
    return;
  }
  for (size_t k = negative_.counts.size(); k-- > 0;) {
    if (negative_.counts[k] == 0) continue;
    int32_t i = negative_.offset + static_cast<int32_t>(k);
    fn(-internal::ExponentialLowerBoundary(i + 1, scale_),
       -internal::ExponentialLowerBoundary(i, scale_), negative_.counts[k]);
  }
  if (zero_count_) fn(0.0, 0.0, zero_count_);
  for (size_t k = 0; k < positive_.counts.size(); ++k) {
    if (positive_.counts[k] == 0) continue;
    int32_t i = positive_.offset + static_cast<int32_t>(k);
    fn(internal::ExponentialLowerBoundary(i, scale_),
       internal::ExponentialLowerBoundary(i + 1, scale_), positive_.counts[k]);
  }
}

double HistogramData::CountAtOrBelow(double bound) const {
  if (std::isnan(bound) || count_ == 0) return 0;
  const bool known = minmax_known_;
  double at_or_below = 0;
  ForEachBucket([&](double lower, double upper, uint64_t n) {
    const double lo = known ? std::max(lower, min_) : lower;
    const double hi = known ? std::min(upper, max_) : upper;
    const auto count = static_cast<double>(n);
    if (hi <= bound) {
      at_or_below += count;
    } else if (lo < bound && std::isfinite(lo) && std::isfinite(hi) && hi > lo) {
      at_or_below += count * (bound - lo) / (hi - lo);
    }
  });
  return at_or_below;
}

}  // namespace tai

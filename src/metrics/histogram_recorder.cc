#include "metrics/histogram_recorder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "metrics/exponential_mapping.h"
#include "tai/detail/cpu_slot.h"

namespace tai::internal {

struct HistogramRecorder::Ring {
  bool empty = true;
  int32_t lo = 0;  // lowest and highest index held, at the shard's scale
  int32_t hi = 0;
  uint64_t counts[kRingSize] = {};

  uint64_t& At(int32_t index) { return counts[static_cast<uint32_t>(index) & (kRingSize - 1)]; }
  // True when `index` fits without lowering the scale.
  bool Fits(int32_t index) const {
    return empty || (std::max(hi, index) - std::min(lo, index) < kRingSize);
  }
  void Add(int32_t index) {
    if (empty) {
      empty = false;
      lo = hi = index;
    } else {
      lo = std::min(lo, index);
      hi = std::max(hi, index);
    }
    ++At(index);
  }
  // Merges neighbours so indices are those of `by` scales lower.
  void Downscale(int by) {
    if (empty) return;
    uint64_t old[kRingSize];
    const int32_t n = hi - lo + 1;
    for (int32_t k = 0; k < n; ++k) {
      old[k] = At(lo + k);
      At(lo + k) = 0;
    }
    const int32_t old_lo = lo;
    empty = true;
    for (int32_t k = 0; k < n; ++k) {
      if (old[k] == 0) continue;
      const int32_t index = DownscaleIndex(old_lo + k, by);
      if (empty) {
        empty = false;
        lo = hi = index;
      } else {
        hi = std::max(hi, index);
      }
      At(index) += old[k];
    }
  }
  void Clear() {
    if (empty) return;
    for (int32_t i = lo; i <= hi; ++i) At(i) = 0;
    empty = true;
  }
};

struct alignas(64) HistogramRecorder::Shard {
  std::atomic<uint32_t> busy{0};
  // Everything below belongs to whoever holds `busy`.
  uint64_t count = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  // Moments about the first value seen: numerically stable variance
  // without a division per record; the sum is shift * count + s1.
  double shift = 0;
  double s1 = 0;
  double s2 = 0;
  int scale = kMaxScale;
  uint64_t zero = 0;
  Ring positive;
  std::unique_ptr<Ring> negative;   // made on the first negative value
  std::vector<uint64_t> explicit_counts;  // explicit layout only

  void Reset(int max_scale) {
    count = 0;
    s1 = s2 = shift = 0;
    min = std::numeric_limits<double>::infinity();
    max = -std::numeric_limits<double>::infinity();
    zero = 0;
    positive.Clear();
    if (negative) negative->Clear();
    std::fill(explicit_counts.begin(), explicit_counts.end(), 0);
    scale = max_scale;
  }

  void AddExponential(double v) {
    if (v == 0) {
      ++zero;
      return;
    }
    Ring* ring = &positive;
    if (v < 0) [[unlikely]] {
      if (!negative) negative = std::make_unique<Ring>();
      ring = negative.get();
    }
    int32_t index = DownscaleIndex(ExponentialIndex(std::fabs(v)), kMaxScale - scale);
    // Fast path: inside the range already held.
    if (!ring->empty &&
        static_cast<uint32_t>(index - ring->lo) <= static_cast<uint32_t>(ring->hi - ring->lo)) {
      ++ring->At(index);
      return;
    }
    if (!ring->Fits(index)) {
      int by = 1;
      while (!FitsAfter(*ring, index, by)) ++by;
      positive.Downscale(by);
      if (negative) negative->Downscale(by);
      scale -= by;
      index = DownscaleIndex(index, by);
    }
    ring->Add(index);
  }

  static bool FitsAfter(const Ring& r, int32_t index, int by) {
    const int32_t lo = DownscaleIndex(std::min(r.lo, index), by);
    const int32_t hi = DownscaleIndex(std::max(r.hi, index), by);
    return hi - lo < kRingSize;
  }
};

HistogramRecorder::HistogramRecorder(std::vector<double> explicit_bounds, int max_scale)
    : bounds_(std::move(explicit_bounds)),
      max_scale_(std::clamp(max_scale, 0, kMaxScale)),
      mask_(static_cast<unsigned>(detail::ShardCount() - 1)),
      shards_(new std::atomic<Shard*>[detail::ShardCount()]) {
  for (unsigned i = 0; i <= mask_; ++i) shards_[i].store(nullptr, std::memory_order_relaxed);
}

HistogramRecorder::~HistogramRecorder() {
  for (unsigned i = 0; i <= mask_; ++i) delete shards_[i].load(std::memory_order_acquire);
}

HistogramRecorder::Shard* HistogramRecorder::ShardFor(unsigned slot) {
  Shard* s = shards_[slot].load(std::memory_order_acquire);
  if (s != nullptr) [[likely]] return s;
  // First record on this CPU for this series: allocate once, publish with CAS.
  auto fresh = std::make_unique<Shard>();
  fresh->scale = max_scale_;
  fresh->explicit_counts.assign(bounds_.empty() ? 0 : bounds_.size() + 1, 0);
  if (shards_[slot].compare_exchange_strong(s, fresh.get(), std::memory_order_acq_rel)) {
    return fresh.release();
  }
  return s;
}

inline HistogramRecorder::Shard* HistogramRecorder::Claim() {
  unsigned slot = detail::CurrentCpuSlot() & mask_;
  for (;;) {
    Shard* s = ShardFor(slot);
    if (s->busy.load(std::memory_order_relaxed) == 0 &&
        s->busy.exchange(1, std::memory_order_acquire) == 0) {
      return s;
    }
    slot = (slot + 1) & mask_;
    detail::CpuRelax();
  }
}

void HistogramRecorder::Record(double v) {
  Shard* s = Claim();
  if (s->count == 0) s->shift = v;
  ++s->count;
  s->min = std::min(s->min, v);
  s->max = std::max(s->max, v);
  const double d = v - s->shift;
  s->s1 += d;
  s->s2 += d * d;
  if (bounds_.empty()) {
    s->AddExponential(v);
  } else {
    size_t k = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                   bounds_.begin());
    ++s->explicit_counts[k];
  }
  s->busy.store(0, std::memory_order_release);
}

void HistogramRecorder::DrainInto(HistogramData& cumulative) {
  for (unsigned i = 0; i <= mask_; ++i) {
    Shard* s = shards_[i].load(std::memory_order_acquire);
    if (s == nullptr) continue;
    while (s->busy.exchange(1, std::memory_order_acquire) != 0) detail::CpuRelax();
    if (s->count > 0) {
      const double n = static_cast<double>(s->count);
      const double mean = s->shift + s->s1 / n;
      const double m2 = std::max(0.0, s->s2 - s->s1 * s->s1 / n);
      cumulative.AddStats(s->count, s->shift * n + s->s1, s->min, s->max, mean, m2);
      if (bounds_.empty()) {
        cumulative.AddZero(s->zero);
        const Ring* rings[2] = {&s->positive, s->negative.get()};
        for (int sign = 0; sign < 2; ++sign) {
          const Ring* r = rings[sign];
          if (r == nullptr || r->empty) continue;
          for (int32_t idx = r->lo; idx <= r->hi; ++idx) {
            uint64_t c = r->counts[static_cast<uint32_t>(idx) & (kRingSize - 1)];
            if (c) cumulative.AddExponentialBucket(sign == 1, idx, s->scale, c);
          }
        }
      } else {
        for (size_t k = 0; k < s->explicit_counts.size(); ++k) {
          cumulative.AddExplicitBucket(k, s->explicit_counts[k]);
        }
      }
      s->Reset(max_scale_);
    }
    s->busy.store(0, std::memory_order_release);
  }
}

}  // namespace tai::internal

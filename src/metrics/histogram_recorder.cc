#include "metrics/histogram_recorder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "metrics/exponential_mapping.h"
#include "tai/metrics/detail/cpu_slot.h"

namespace tai::internal {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// Single-writer update: a plain load and store, no read-modify-write.
template <typename T>
void Bump(std::atomic<T>& a, T delta) {
  a.store(a.load(kRelaxed) + delta, kRelaxed);
}

// What a reader copied out of one shard.
struct ShardCopy {
  uint64_t count = 0;
  double min = 0, max = 0, shift = 0, s1 = 0, s2 = 0;
  int scale = kMaxScale;
  uint64_t zero = 0;
  int32_t lo[2] = {0, 0};
  std::vector<uint64_t> rings[2];  // positive, negative: counts from lo
  std::vector<uint64_t> explicit_counts;
};

}  // namespace

struct HistogramRecorder::Ring {
  // The lowest and highest index held, at the shard's scale; empty while lo > hi.
  std::atomic<int32_t> lo{std::numeric_limits<int32_t>::max()};
  std::atomic<int32_t> hi{std::numeric_limits<int32_t>::min()};
  std::atomic<uint64_t> counts[kRingSize] = {};

  bool empty() const { return lo.load(kRelaxed) > hi.load(kRelaxed); }
  std::atomic<uint64_t>& At(int32_t index) {
    return counts[static_cast<uint32_t>(index) & (kRingSize - 1)];
  }
  bool Holds(int32_t index) const {
    return index >= lo.load(kRelaxed) && index <= hi.load(kRelaxed);
  }
  // How many scales to drop so that `index` (at the current scale) fits.
  int DownscaleNeeded(int32_t index) const {
    if (empty()) return 0;
    const int32_t l = std::min(lo.load(kRelaxed), index), h = std::max(hi.load(kRelaxed), index);
    int by = 0;
    while (DownscaleIndex(h, by) - DownscaleIndex(l, by) >= kRingSize) ++by;
    return by;
  }
  void Extend(int32_t index) {
    if (empty()) {
      // hi first: a reader seeing the new lo with the old hi sees an empty ring.
      hi.store(index, kRelaxed);
      lo.store(index, kRelaxed);
    } else if (index < lo.load(kRelaxed)) {
      lo.store(index, kRelaxed);
    } else if (index > hi.load(kRelaxed)) {
      hi.store(index, kRelaxed);
    }
  }
  void Downscale(int by) {
    if (empty() || by == 0) return;
    const int32_t old_lo = lo.load(kRelaxed), n = hi.load(kRelaxed) - old_lo + 1;
    uint64_t old[kRingSize];
    for (int32_t k = 0; k < n; ++k) {
      old[k] = At(old_lo + k).load(kRelaxed);
      At(old_lo + k).store(0, kRelaxed);
    }
    lo.store(std::numeric_limits<int32_t>::max(), kRelaxed);
    hi.store(std::numeric_limits<int32_t>::min(), kRelaxed);
    for (int32_t k = 0; k < n; ++k) {
      if (old[k] == 0) continue;
      const int32_t index = DownscaleIndex(old_lo + k, by);
      Extend(index);
      Bump(At(index), old[k]);
    }
  }
};

struct alignas(64) HistogramRecorder::Shard {
  std::atomic<uint32_t> busy{0};         // shared shards: held by the writing thread
  mutable std::atomic<uint32_t> seq{0};  // odd while the shape changes
  std::atomic<uint64_t> count{0};
  std::atomic<double> min{std::numeric_limits<double>::infinity()};
  std::atomic<double> max{-std::numeric_limits<double>::infinity()};
  // Moments about the first value recorded (set when the shard is made):
  // stable variance without a division per record; sum = shift * count + s1.
  std::atomic<double> shift{0};
  std::atomic<double> s1{0};
  std::atomic<double> s2{0};
  std::atomic<int> scale{kMaxScale};
  std::atomic<uint64_t> zero{0};
  Ring positive;
  std::atomic<Ring*> negative{nullptr};
  std::unique_ptr<std::atomic<uint64_t>[]> explicit_counts;

  ~Shard() { delete negative.load(); }

  [[gnu::always_inline]] void Add(double v, bool exponential, const std::vector<double>& bounds) {
    const double d = v - shift.load(kRelaxed);
    Bump(count, uint64_t{1});
    if (v < min.load(kRelaxed)) min.store(v, kRelaxed);
    if (v > max.load(kRelaxed)) max.store(v, kRelaxed);
    Bump(s1, d);
    Bump(s2, d * d);
    if (!exponential) {
      auto k = std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin();
      Bump(explicit_counts[static_cast<size_t>(k)], uint64_t{1});
    } else if (v == 0) {
      Bump(zero, uint64_t{1});
    } else {
      AddExponential(v);
    }
  }

  [[gnu::always_inline]] void AddExponential(double v) {
    Ring* ring = &positive;
    if (v < 0) [[unlikely]]
      ring = NegativeRing();
    const int s = scale.load(kRelaxed);
    const int32_t index = DownscaleIndex(ExponentialIndex(std::fabs(v)), kMaxScale - s);
    if (ring->Holds(index)) [[likely]] {
      Bump(ring->At(index), uint64_t{1});
    } else {
      AddOutsideRange(ring, index, s);
    }
  }

  // Kept out of line so the common path above stays small.
  [[gnu::noinline]] Ring* NegativeRing() {
    Ring* ring = negative.load(kRelaxed);
    if (ring == nullptr) {
      ring = new Ring();
      negative.store(ring, std::memory_order_release);
    }
    return ring;
  }

  [[gnu::noinline]] void AddOutsideRange(Ring* ring, int32_t index, int s) {
    if (int by = ring->DownscaleNeeded(index)) {
      BeginChange();
      positive.Downscale(by);
      if (Ring* n = negative.load(kRelaxed)) n->Downscale(by);
      scale.store(s - by, kRelaxed);
      EndChange();
      index = DownscaleIndex(index, by);
    }
    ring->Extend(index);
    Bump(ring->At(index), uint64_t{1});
  }

  // One unsynchronised copy; the caller checks `seq` around it.
  void CopyTo(bool exponential, ShardCopy* c) const {
    c->count = count.load(kRelaxed);
    c->min = min.load(kRelaxed);
    c->max = max.load(kRelaxed);
    c->shift = shift.load(kRelaxed);
    c->s1 = s1.load(kRelaxed);
    c->s2 = s2.load(kRelaxed);
    if (!exponential) {
      for (size_t k = 0; k < c->explicit_counts.size(); ++k) {
        c->explicit_counts[k] = explicit_counts[k].load(kRelaxed);
      }
      return;
    }
    c->scale = scale.load(kRelaxed);
    c->zero = zero.load(kRelaxed);
    const Ring* rings[2] = {&positive, negative.load(std::memory_order_acquire)};
    for (int sign = 0; sign < 2; ++sign) {
      c->rings[sign].clear();
      const Ring* r = rings[sign];
      if (r == nullptr) continue;
      const int32_t lo = r->lo.load(kRelaxed), hi = r->hi.load(kRelaxed);
      if (lo > hi) continue;
      c->lo[sign] = lo;
      for (int32_t i = lo; i <= hi; ++i) {
        c->rings[sign].push_back(
            r->counts[static_cast<uint32_t>(i) & (kRingSize - 1)].load(kRelaxed));
      }
    }
  }

  // Read-modify-writes rather than fences (which TSan cannot check): the
  // acquire half keeps the reshaping stores after the odd count.
  void BeginChange() { seq.fetch_add(1, std::memory_order_acq_rel); }
  void EndChange() { seq.fetch_add(1, std::memory_order_release); }
};

struct HistogramRecorder::Block {
  std::atomic<Shard*> shards[kBlockSlots] = {};
  ~Block() {
    for (auto& s : shards) delete s.load();
  }
};

HistogramRecorder::HistogramRecorder(std::vector<double> explicit_bounds, int max_scale)
    : bounds_(std::move(explicit_bounds)),
      exponential_(bounds_.empty()),
      max_scale_(std::clamp(max_scale, 0, kMaxScale)),
      cpu_mask_(static_cast<unsigned>(detail::ShardCount() - 1)),
      shared_(new std::atomic<Shard*>[detail::ShardCount()]) {
  for (auto& b : blocks_) b.store(nullptr, kRelaxed);
  for (unsigned i = 0; i <= cpu_mask_; ++i) shared_[i].store(nullptr, kRelaxed);
}

HistogramRecorder::~HistogramRecorder() {
  for (auto& b : blocks_) delete b.load();
  for (unsigned i = 0; i <= cpu_mask_; ++i) delete shared_[i].load();
}

HistogramRecorder::Shard* HistogramRecorder::NewShard(double first_value) const {
  auto* s = new Shard();
  s->shift.store(first_value, kRelaxed);
  s->scale.store(max_scale_, kRelaxed);
  if (!bounds_.empty()) s->explicit_counts.reset(new std::atomic<uint64_t>[bounds_.size() + 1]());
  return s;
}

inline HistogramRecorder::Shard* HistogramRecorder::OwnedShard(int slot) {
  Block* block = blocks_[slot / kBlockSlots].load(std::memory_order_acquire);
  if (block != nullptr) [[likely]] {
    Shard* s = block->shards[slot % kBlockSlots].load(std::memory_order_acquire);
    if (s != nullptr) [[likely]]
      return s;
  }
  return nullptr;
}

HistogramRecorder::Shard* HistogramRecorder::MakeOwnedShard(int slot, double first_value) {
  std::atomic<Block*>& bp = blocks_[slot / kBlockSlots];
  Block* block = bp.load(std::memory_order_acquire);
  if (block == nullptr) {
    auto* fresh = new Block();
    if (bp.compare_exchange_strong(block, fresh, std::memory_order_acq_rel)) {
      block = fresh;
    } else {
      delete fresh;
    }
  }
  std::atomic<Shard*>& sp = block->shards[slot % kBlockSlots];
  Shard* s = sp.load(std::memory_order_acquire);
  if (s == nullptr) {
    // Only this thread writes its slot's entry: no race to make it.
    s = NewShard(first_value);
    sp.store(s, std::memory_order_release);
  }
  return s;
}

HistogramRecorder::Shard* HistogramRecorder::SharedShard(unsigned cpu, double first_value) {
  Shard* s = shared_[cpu].load(std::memory_order_acquire);
  if (s != nullptr) return s;
  Shard* fresh = NewShard(first_value);
  if (shared_[cpu].compare_exchange_strong(s, fresh, std::memory_order_acq_rel)) return fresh;
  delete fresh;
  return s;
}

inline void HistogramRecorder::Record(double v) {
  const int slot = detail::ThreadSlot();
  if (slot >= 0 && slot < kOwnedSlots) [[likely]] {
    Shard* s = OwnedShard(slot);
    if (s == nullptr) [[unlikely]]
      s = MakeOwnedShard(slot, v);
    s->Add(v, exponential_, bounds_);
    return;
  }
  // Past kOwnedSlots live threads (or during thread exit): per-CPU shards,
  // owned for one record; a busy one is skipped, so nobody waits on it.
  unsigned cpu = detail::CurrentCpuSlot() & cpu_mask_;
  for (;;) {
    Shard* s = SharedShard(cpu, v);
    if (s->busy.load(kRelaxed) == 0 && s->busy.exchange(1, std::memory_order_acquire) == 0) {
      s->Add(v, exponential_, bounds_);
      s->busy.store(0, std::memory_order_release);
      return;
    }
    cpu = (cpu + 1) & cpu_mask_;
    detail::CpuRelax();
  }
}

void HistogramRecorder::ReadInto(HistogramData& out) const {
  const bool exponential = exponential_;
  ShardCopy c;
  c.explicit_counts.resize(exponential ? 0 : bounds_.size() + 1);
  auto read = [&](const Shard* s) {
    if (s == nullptr) return;
    // Retry while the writer reshapes the shard (rare: only when its scale drops).
    for (int attempt = 0;; ++attempt) {
      const uint32_t before = s->seq.load(std::memory_order_acquire);
      if ((before & 1) == 0) {
        s->CopyTo(exponential, &c);
        // The release half keeps the copy's loads before this check.
        if (s->seq.fetch_add(0, std::memory_order_acq_rel) == before) break;
      }
      if (attempt > 100) std::this_thread::yield();
    }
    // The count is the buckets' total so the two always agree; the moments
    // use the count read with them.
    uint64_t total = c.zero;
    for (const auto& r : c.rings) {
      for (uint64_t n : r) total += n;
    }
    for (uint64_t n : c.explicit_counts) total += n;
    if (total == 0) return;
    const double n = static_cast<double>(c.count);
    const double mean = c.count ? c.shift + c.s1 / n : c.shift;
    const double m2 = c.count ? std::max(0.0, c.s2 - c.s1 * c.s1 / n) : 0.0;
    out.AddStats(total, mean * static_cast<double>(total), c.min, c.max, mean, m2);
    if (!exponential) {
      for (size_t k = 0; k < c.explicit_counts.size(); ++k) {
        out.AddExplicitBucket(k, c.explicit_counts[k]);
      }
      return;
    }
    out.AddZero(c.zero);
    for (int sign = 0; sign < 2; ++sign) {
      for (size_t k = 0; k < c.rings[sign].size(); ++k) {
        if (c.rings[sign][k]) {
          out.AddExponentialBucket(sign == 1, c.lo[sign] + static_cast<int32_t>(k), c.scale,
                                   c.rings[sign][k]);
        }
      }
    }
  };
  for (const auto& bp : blocks_) {
    const Block* b = bp.load(std::memory_order_acquire);
    if (b == nullptr) continue;
    for (const auto& sp : b->shards) read(sp.load(std::memory_order_acquire));
  }
  for (unsigned i = 0; i <= cpu_mask_; ++i) read(shared_[i].load(std::memory_order_acquire));
}

}  // namespace tai::internal

namespace tai::detail {

// Here rather than in metrics.cc so that Record() inlines into it.
void RecordHistogram(internal::HistogramRecorder* recorder, double value) {
  recorder->Record(value);
}

}  // namespace tai::detail

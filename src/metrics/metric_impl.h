// Internal: the state behind each instrument handle.
//
// SeriesMetric keeps a metric's series in an open-addressing table of atomic
// pointers: lookups are lock-free (hash, probe, compare), inserts take the
// metric's mutex, and a full table is replaced by a larger copy while the
// old one stays readable until the metric dies. Series are never freed
// before their metric, so a bound handle can hold a raw pointer.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "metrics/call_labels.h"
#include "metrics/histogram_recorder.h"
#include "tai/metrics/detail/sum_cells.h"
#include "tai/metrics/metric_data.h"
#include "tai/metrics/metrics.h"

namespace tai::internal {

class MetricImpl {
 public:
  MetricImpl(std::shared_ptr<const MetricDescriptor> descriptor, InstrumentKind kind)
      : descriptor_(std::move(descriptor)), kind_(kind) {}
  virtual ~MetricImpl() = default;

  const MetricDescriptor& descriptor() const { return *descriptor_; }
  const std::shared_ptr<const MetricDescriptor>& descriptor_ptr() const { return descriptor_; }
  InstrumentKind kind() const { return kind_; }

  virtual void CollectInto(MetricData& out, int64_t now_nanos) = 0;
  virtual size_t series_count() const = 0;
  // Instrument settings beyond the descriptor that a re-registration must repeat.
  virtual std::string settings() const { return ""; }

  // Rejections by reason, exported as tai_metric_rejected_total.
  std::atomic<uint64_t> rejected_value{0};
  std::atomic<uint64_t> rejected_labels{0};
  // Records sent to the overflow series, exported as tai_metric_overflow_total.
  std::atomic<uint64_t> overflowed{0};

 protected:
  Status ValidateLabels(const LabelSet& labels) const;

 private:
  const std::shared_ptr<const MetricDescriptor> descriptor_;
  const InstrumentKind kind_;
};

template <typename Payload>
class SeriesMetric : public MetricImpl {
 public:
  struct Entry {
    Entry(uint64_t h, LabelSet l, int64_t start, std::unique_ptr<Payload> p)
        : hash(h), labels(std::move(l)), start_nanos(start), payload(std::move(p)) {
      // Views into `labels`, whose storage is immutable and lives as long.
      for (const auto& [k, v] : labels.labels()) views.push_back({k, v});
    }

    uint64_t hash;
    std::vector<Label> views;  // compared by lookups, without touching `labels`
    LabelSet labels;
    int64_t start_nanos;
    std::unique_ptr<Payload> payload;
  };
  using MakePayload = std::function<std::unique_ptr<Payload>()>;

  SeriesMetric(std::shared_ptr<const MetricDescriptor> d, InstrumentKind kind, size_t limit,
               int64_t start_nanos, MakePayload make)
      : MetricImpl(std::move(d), kind),
        limit_(limit),
        start_nanos_(start_nanos),
        make_(std::move(make)) {
    tables_.push_back(NewTable(16));
    table_.store(tables_.back().get(), std::memory_order_release);
  }

  // The series for `labels`, made on first use; nullptr when the labels are
  // invalid (counted; the reason goes to *error when given).
  Payload* Find(LabelsView labels, Status* error = nullptr) {
    CallLabels call(labels);
    if (call.too_many()) {
      rejected_labels.fetch_add(1, std::memory_order_relaxed);
      if (error) {
        *error = InvalidArgumentError(
            "metric '" + descriptor().metric_type + "': " + std::to_string(labels.size()) +
            " labels; the limit is " + std::to_string(kMaxLabelsPerMetric));
      }
      return nullptr;
    }
    if (Entry* e = Lookup(call.Hash(), [&](const Entry& c) { return call.SameAs(c.views); })) {
      return e->payload.get();
    }
    if (full_.load(std::memory_order_acquire)) return Overflow();
    return Insert(LabelSet(labels), error);
  }

  Payload* Find(const LabelSet& labels, Status* error = nullptr) {
    if (Entry* e = Lookup(labels.hash(), [&](const Entry& c) { return c.labels == labels; })) {
      return e->payload.get();
    }
    if (full_.load(std::memory_order_acquire)) return Overflow();
    return Insert(labels, error);
  }

  // Calls fn(entry) for every series, overflow included; entries made during
  // the walk may be missed.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::vector<const Entry*> list;
    {
      std::lock_guard<std::mutex> lock(mu_);
      list.reserve(entries_.size() + 1);
      for (const auto& e : entries_) list.push_back(e.get());
      if (overflow_) list.push_back(overflow_.get());
    }
    for (const Entry* e : list) fn(*e);
  }

  size_t series_count() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size() + (overflow_ ? 1 : 0);
  }

 protected:
  int64_t start_nanos() const { return start_nanos_; }

 private:
  struct Table {
    size_t mask;
    std::unique_ptr<std::atomic<Entry*>[]> slots;
  };

  static std::unique_ptr<Table> NewTable(size_t capacity) {
    auto t = std::make_unique<Table>();
    t->mask = capacity - 1;
    t->slots.reset(new std::atomic<Entry*>[capacity]);
    for (size_t i = 0; i < capacity; ++i) t->slots[i].store(nullptr, std::memory_order_relaxed);
    return t;
  }

  template <typename Eq>
  Entry* Lookup(uint64_t h, Eq&& eq) const {
    const Table* t = table_.load(std::memory_order_acquire);
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
      Entry* e = t->slots[i].load(std::memory_order_acquire);
      if (e == nullptr) return nullptr;
      if (e->hash == h && eq(*e)) return e;
    }
  }

  static void Place(Table& t, Entry* e) {
    size_t i = e->hash & t.mask;
    while (t.slots[i].load(std::memory_order_relaxed) != nullptr) i = (i + 1) & t.mask;
    t.slots[i].store(e, std::memory_order_release);
  }

  Payload* Insert(const LabelSet& labels, Status* error) {
    std::lock_guard<std::mutex> lock(mu_);
    if (Entry* e = Lookup(labels.hash(), [&](const Entry& c) { return c.labels == labels; })) {
      return e->payload.get();
    }
    if (entries_.size() >= limit_) return OverflowLocked();
    Status s = ValidateLabels(labels);
    if (!s.ok()) {
      rejected_labels.fetch_add(1, std::memory_order_relaxed);
      if (error) *error = s;
      return nullptr;
    }
    auto e = std::make_unique<Entry>(labels.hash(), labels, start_nanos_, make_());
    Table* t = table_.load(std::memory_order_relaxed);
    if ((entries_.size() + 1) * 2 > t->mask + 1) {
      // Readers may still probe the old table: it is kept, never freed early.
      tables_.push_back(NewTable((t->mask + 1) * 2));
      t = tables_.back().get();
      for (const auto& old : entries_) Place(*t, old.get());
      table_.store(t, std::memory_order_release);
    }
    Place(*t, e.get());
    entries_.push_back(std::move(e));
    return entries_.back()->payload.get();
  }

  Payload* Overflow() {
    overflowed.fetch_add(1, std::memory_order_relaxed);
    return overflow_payload_.load(std::memory_order_acquire);
  }

  Payload* OverflowLocked() {
    if (!overflow_) {
      LabelSet labels(LabelsView{{"otel_metric_overflow", "true"}});
      overflow_ = std::make_unique<Entry>(0, labels, start_nanos_, make_());
      overflow_payload_.store(overflow_->payload.get(), std::memory_order_release);
      full_.store(true, std::memory_order_release);
    }
    overflowed.fetch_add(1, std::memory_order_relaxed);
    return overflow_->payload.get();
  }

  const size_t limit_;
  const int64_t start_nanos_;
  const MakePayload make_;
  std::atomic<Table*> table_{nullptr};
  std::atomic<bool> full_{false};
  std::atomic<Payload*> overflow_payload_{nullptr};
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::unique_ptr<Entry> overflow_;
};

template <typename T>
class SumMetric : public SeriesMetric<detail::SumCells<T>> {
 public:
  using Base = SeriesMetric<detail::SumCells<T>>;
  SumMetric(std::shared_ptr<const MetricDescriptor> d, InstrumentKind kind, size_t limit,
            int64_t start)
      : Base(std::move(d), kind, limit, start,
             [] { return std::make_unique<detail::SumCells<T>>(); }) {}

  template <bool kMonotonic>
  BoundSum<T, kMonotonic> MakeBound(detail::SumCells<T>* cells) {
    return BoundSum<T, kMonotonic>(cells->cells(), cells->mask(), &this->rejected_value);
  }

  // The unlabelled series, cached after its first use.
  detail::SumCells<T>* Unlabelled() {
    detail::SumCells<T>* c = unlabelled_.load(std::memory_order_acquire);
    if (c == nullptr) {
      c = this->Find(LabelsView{});
      unlabelled_.store(c, std::memory_order_release);
    }
    return c;
  }

  void CollectInto(MetricData& out, int64_t now) override {
    this->ForEach([&](const typename Base::Entry& e) {
      out.points.push_back({e.labels, e.start_nanos, now, MetricValue(e.payload->Sum())});
    });
  }

 private:
  std::atomic<detail::SumCells<T>*> unlabelled_{nullptr};
};

struct GaugeCell {
  // NaN until the first Set.
  std::atomic<double> value{std::numeric_limits<double>::quiet_NaN()};
};

class GaugeMetric : public SeriesMetric<GaugeCell> {
 public:
  GaugeMetric(std::shared_ptr<const MetricDescriptor> d, size_t limit, int64_t start)
      : SeriesMetric(std::move(d), InstrumentKind::kGauge, limit, start,
                     [] { return std::make_unique<GaugeCell>(); }) {}
  BoundGauge MakeBound(GaugeCell* cell) { return BoundGauge(cell, &rejected_value); }
  void CollectInto(MetricData& out, int64_t now) override;
};

struct HistogramSeries {
  explicit HistogramSeries(const HistogramOptions& o) : recorder(o.explicit_bounds, o.max_scale) {}
  HistogramRecorder recorder;
};

class HistogramMetric : public SeriesMetric<HistogramSeries> {
 public:
  HistogramMetric(std::shared_ptr<const MetricDescriptor> d, size_t limit, int64_t start,
                  HistogramOptions options, HistogramData empty);
  BoundHistogram MakeBound(HistogramSeries* s) {
    return BoundHistogram(&s->recorder, &rejected_value);
  }
  void CollectInto(MetricData& out, int64_t now) override;
  std::string settings() const override;

 private:
  const HistogramOptions options_;
  const HistogramData empty_;  // the layout every snapshot starts from
};

// Points written whole (MetricRegistry::WritePoint).
struct WrittenPoint {
  std::mutex mu;
  MetricValue value;
  int64_t time_nanos = 0;  // 0: nothing written yet
};

class WrittenMetric : public SeriesMetric<WrittenPoint> {
 public:
  WrittenMetric(std::shared_ptr<const MetricDescriptor> d, size_t limit, int64_t start)
      : SeriesMetric(std::move(d), InstrumentKind::kWrittenPoint, limit, start,
                     [] { return std::make_unique<WrittenPoint>(); }) {}
  Status Write(const MetricValue& value, const LabelSet& labels, int64_t time_nanos);
  void CollectInto(MetricData& out, int64_t now) override;
};

// Gauges and counters whose values a callback reports at collection.
class CallbackMetric : public MetricImpl {
 public:
  CallbackMetric(std::shared_ptr<const MetricDescriptor> d, InstrumentKind kind, size_t limit,
                 int64_t start, std::atomic<uint64_t>* callback_errors)
      : MetricImpl(std::move(d), kind),
        limit_(limit),
        start_nanos_(start),
        callback_errors_(callback_errors) {}

  void Add(uint64_t id, ObserveCallback cb);
  // Returns true when it held `id`. Waits for a running callback to finish.
  bool Remove(uint64_t id);
  void CollectInto(MetricData& out, int64_t now) override;
  size_t series_count() const override;

 private:
  const size_t limit_;
  const int64_t start_nanos_;
  std::atomic<uint64_t>* callback_errors_;
  std::mutex mu_;  // held while callbacks run, so Remove waits for them
  std::map<uint64_t, ObserveCallback> callbacks_;
  // Not under mu_: the series-count self-metric reads it while callbacks run.
  std::atomic<size_t> last_series_{0};
};

}  // namespace tai::internal

// Instruments: Counter, DoubleCounter, UpDownCounter, DoubleUpDownCounter,
// Gauge and Histogram, and their bound handles.
//
// Instruments are cheap handles made by a MetricRegistry (metric_registry.h)
// and valid as long as it lives; copy them freely. Every call is thread-safe,
// never blocks, never throws and never allocates once a series exists.
//
// Three ways to record, fastest first:
//   auto get = requests.Bind({{"method", "GET"}}).value();  // once
//   get.Add(1);                           // a relaxed fetch_add on a per-CPU cell
//   requests.Add(1, label_set);           // LabelSet: hashed once, one lookup
//   requests.Add(1, {{"method", "GET"}}); // hashes the labels, one lookup
//
// What the hot path refuses (a negative add to a counter, NaN, a label set
// that fails validation) is not applied and is counted per metric in
// tai_metric_rejected_total{metric,reason}. Past the cardinality limit, new
// label sets go to one series labelled otel_metric_overflow="true" and are
// counted in tai_metric_overflow_total.
#pragma once

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "tai/core/labels.h"
#include "tai/core/status.h"
#include "tai/metrics/detail/sum_cells.h"
#include "tai/metrics/metric_descriptor.h"

namespace tai {

namespace internal {
template <typename T>
class SumMetric;
class GaugeMetric;
class HistogramMetric;
class HistogramRecorder;
struct GaugeCell;
}  // namespace internal

namespace detail {
template <typename T>
SumCell<T>* InertSumCell();
std::atomic<uint64_t>* InertRejectCounter();
void RecordHistogram(internal::HistogramRecorder* recorder, double value);
}  // namespace detail

// A handle bound to one series of a counter (kMonotonic) or up-down counter.
template <typename T, bool kMonotonic>
class BoundSum {
 public:
  BoundSum() : cells_(detail::InertSumCell<T>()), rejected_(detail::InertRejectCounter()) {}

  void Add(T v) const {
    if constexpr (std::is_floating_point_v<T>) {
      const bool bad =
          kMonotonic ? !(v >= 0 && v < std::numeric_limits<T>::infinity()) : !std::isfinite(v);
      if (bad) [[unlikely]] {
        rejected_->fetch_add(1, std::memory_order_relaxed);
        return;
      }
    } else if constexpr (kMonotonic) {
      if (v < 0) [[unlikely]] {
        rejected_->fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    cells_[detail::CurrentCpuSlot() & mask_].value.fetch_add(v, std::memory_order_relaxed);
  }

 private:
  friend class internal::SumMetric<T>;
  BoundSum(detail::SumCell<T>* cells, uint32_t mask, std::atomic<uint64_t>* rejected)
      : cells_(cells), mask_(mask), rejected_(rejected) {}

  detail::SumCell<T>* cells_;
  uint32_t mask_ = 0;
  std::atomic<uint64_t>* rejected_;
};

template <typename T, bool kMonotonic>
class SumInstrument {
 public:
  using Bound = BoundSum<T, kMonotonic>;

  SumInstrument() = default;
  void Add(T v) const;
  void Add(T v, LabelsView labels) const;
  void Add(T v, const LabelSet& labels) const;
  // Fails when the labels are invalid for this metric (the error says which).
  Result<Bound> Bind() const { return Bind(LabelsView{}); }
  Result<Bound> Bind(LabelsView labels) const;
  Result<Bound> Bind(const LabelSet& labels) const;
  const MetricDescriptor& descriptor() const;

 private:
  friend class MetricRegistry;
  explicit SumInstrument(internal::SumMetric<T>* impl) : impl_(impl) {}
  internal::SumMetric<T>* impl_ = nullptr;
};

using Counter = SumInstrument<int64_t, true>;
using DoubleCounter = SumInstrument<double, true>;
using UpDownCounter = SumInstrument<int64_t, false>;
using DoubleUpDownCounter = SumInstrument<double, false>;
using BoundCounter = Counter::Bound;
using BoundDoubleCounter = DoubleCounter::Bound;
using BoundUpDownCounter = UpDownCounter::Bound;
using BoundDoubleUpDownCounter = DoubleUpDownCounter::Bound;

// A handle bound to one gauge series: Set stores the current value.
class BoundGauge {
 public:
  BoundGauge();
  void Set(double v) const;

 private:
  friend class internal::GaugeMetric;
  BoundGauge(internal::GaugeCell* cell, std::atomic<uint64_t>* rejected)
      : cell_(cell), rejected_(rejected) {}
  internal::GaugeCell* cell_;
  std::atomic<uint64_t>* rejected_;
};

class Gauge {
 public:
  Gauge() = default;
  void Set(double v) const;
  void Set(double v, LabelsView labels) const;
  void Set(double v, const LabelSet& labels) const;
  Result<BoundGauge> Bind() const { return Bind(LabelsView{}); }
  Result<BoundGauge> Bind(LabelsView labels) const;
  Result<BoundGauge> Bind(const LabelSet& labels) const;
  const MetricDescriptor& descriptor() const;

 private:
  friend class MetricRegistry;
  explicit Gauge(internal::GaugeMetric* impl) : impl_(impl) {}
  internal::GaugeMetric* impl_ = nullptr;
};

struct HistogramOptions {
  // Non-empty: a classic histogram with these upper bounds (Prometheus `le`).
  // Empty: exponential buckets (see histogram_data.h).
  std::vector<double> explicit_bounds;
  // Exponential only: the finest scale (0..6; 6 = 64 buckets per power of two).
  int max_scale = 6;
  // Exponential only: buckets per sign kept in the cumulative data; a wider
  // range of values lowers the scale.
  size_t max_buckets = 256;
};

// A handle bound to one histogram series.
class BoundHistogram {
 public:
  BoundHistogram() = default;
  // NaN and infinities are rejected and counted.
  void Record(double v) const {
    if (recorder_ == nullptr) return;
    if (!std::isfinite(v)) [[unlikely]] {
      rejected_->fetch_add(1, std::memory_order_relaxed);
      return;
    }
    detail::RecordHistogram(recorder_, v);
  }

 private:
  friend class internal::HistogramMetric;
  BoundHistogram(internal::HistogramRecorder* recorder, std::atomic<uint64_t>* rejected)
      : recorder_(recorder), rejected_(rejected) {}
  internal::HistogramRecorder* recorder_ = nullptr;
  std::atomic<uint64_t>* rejected_ = nullptr;
};

class Histogram {
 public:
  Histogram() = default;
  void Record(double v) const;
  void Record(double v, LabelsView labels) const;
  void Record(double v, const LabelSet& labels) const;
  Result<BoundHistogram> Bind() const { return Bind(LabelsView{}); }
  Result<BoundHistogram> Bind(LabelsView labels) const;
  Result<BoundHistogram> Bind(const LabelSet& labels) const;
  const MetricDescriptor& descriptor() const;

 private:
  friend class MetricRegistry;
  explicit Histogram(internal::HistogramMetric* impl) : impl_(impl) {}
  internal::HistogramMetric* impl_ = nullptr;
};

// Handed to the callback of a callback gauge or counter at each collection.
class Observer {
 public:
  virtual ~Observer() = default;
  void Observe(double value, LabelsView labels = {}) { ObserveDouble(value, labels); }
  template <typename I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) void Observe(I value,
                                                                           LabelsView labels = {}) {
    ObserveInt64(static_cast<int64_t>(value), labels);
  }

 protected:
  virtual void ObserveDouble(double value, LabelsView labels) = 0;
  virtual void ObserveInt64(int64_t value, LabelsView labels) = 0;
};
using ObserveCallback = std::function<void(Observer&)>;

}  // namespace tai

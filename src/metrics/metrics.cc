// Out-of-line parts of the instrument handles (metrics.h).
#include "tai/metrics/metrics.h"

#include <cmath>

#include "metrics/metric_impl.h"

namespace tai {
namespace detail {

template <typename T>
SumCell<T>* InertSumCell() {
  // Handles made by default write here and nowhere else reads it.
  static SumCell<T> cell;
  return &cell;
}
template SumCell<int64_t>* InertSumCell<int64_t>();
template SumCell<double>* InertSumCell<double>();

std::atomic<uint64_t>* InertRejectCounter() {
  static std::atomic<uint64_t> counter{0};
  return &counter;
}

}  // namespace detail

namespace {

const MetricDescriptor& NoDescriptor() {
  static const MetricDescriptor d;
  return d;
}

// Binds a handle (made by `bind` from the series) to the series of
// `labels`, which is made when new.
template <typename Impl, typename Labels, typename Bind>
auto BindSeries(Impl* impl, const Labels& labels, Bind bind)
    -> Result<decltype(bind(impl->Find(labels)))> {
  if (impl == nullptr) return FailedPreconditionError("Bind on an instrument made by default");
  Status error;
  auto* series = impl->Find(labels, &error);
  if (series == nullptr) return error;
  return bind(series);
}

// Records through a temporary handle; invalid labels were counted by Find.
template <typename Impl, typename Labels, typename Record>
void RecordSeries(Impl* impl, const Labels& labels, Record record) {
  if (impl == nullptr) return;
  if (auto* series = impl->Find(labels)) record(series);
}

}  // namespace

template <typename T, bool M>
void SumInstrument<T, M>::Add(T v) const {
  if (impl_ == nullptr) return;
  if (auto* cells = impl_->Unlabelled()) impl_->template MakeBound<M>(cells).Add(v);
}

template <typename T, bool M>
void SumInstrument<T, M>::Add(T v, LabelsView labels) const {
  RecordSeries(impl_, labels, [&](auto* c) { impl_->template MakeBound<M>(c).Add(v); });
}

template <typename T, bool M>
void SumInstrument<T, M>::Add(T v, const LabelSet& labels) const {
  RecordSeries(impl_, labels, [&](auto* c) { impl_->template MakeBound<M>(c).Add(v); });
}

template <typename T, bool M>
Result<BoundSum<T, M>> SumInstrument<T, M>::Bind(LabelsView labels) const {
  return BindSeries(impl_, labels, [&](auto* c) { return impl_->template MakeBound<M>(c); });
}

template <typename T, bool M>
Result<BoundSum<T, M>> SumInstrument<T, M>::Bind(const LabelSet& labels) const {
  return BindSeries(impl_, labels, [&](auto* c) { return impl_->template MakeBound<M>(c); });
}

template <typename T, bool M>
const MetricDescriptor& SumInstrument<T, M>::descriptor() const {
  return impl_ ? impl_->descriptor() : NoDescriptor();
}

template class SumInstrument<int64_t, true>;
template class SumInstrument<double, true>;
template class SumInstrument<int64_t, false>;
template class SumInstrument<double, false>;

namespace {

internal::GaugeCell* InertGaugeCell() {
  static internal::GaugeCell cell;
  return &cell;
}

}  // namespace

BoundGauge::BoundGauge() : cell_(InertGaugeCell()), rejected_(detail::InertRejectCounter()) {}

void BoundGauge::Set(double v) const {
  if (!std::isfinite(v)) [[unlikely]] {
    rejected_->fetch_add(1, std::memory_order_relaxed);
    return;
  }
  cell_->value.store(v, std::memory_order_relaxed);
}

void Gauge::Set(double v) const { Set(v, LabelsView{}); }

void Gauge::Set(double v, LabelsView labels) const {
  RecordSeries(impl_, labels, [&](auto* c) { impl_->MakeBound(c).Set(v); });
}

void Gauge::Set(double v, const LabelSet& labels) const {
  RecordSeries(impl_, labels, [&](auto* c) { impl_->MakeBound(c).Set(v); });
}

Result<BoundGauge> Gauge::Bind(LabelsView labels) const {
  return BindSeries(impl_, labels, [&](auto* c) { return impl_->MakeBound(c); });
}

Result<BoundGauge> Gauge::Bind(const LabelSet& labels) const {
  return BindSeries(impl_, labels, [&](auto* c) { return impl_->MakeBound(c); });
}

const MetricDescriptor& Gauge::descriptor() const {
  return impl_ ? impl_->descriptor() : NoDescriptor();
}

void Histogram::Record(double v) const { Record(v, LabelsView{}); }

void Histogram::Record(double v, LabelsView labels) const {
  RecordSeries(impl_, labels, [&](auto* s) { impl_->MakeBound(s).Record(v); });
}

void Histogram::Record(double v, const LabelSet& labels) const {
  RecordSeries(impl_, labels, [&](auto* s) { impl_->MakeBound(s).Record(v); });
}

Result<BoundHistogram> Histogram::Bind(LabelsView labels) const {
  return BindSeries(impl_, labels, [&](auto* s) { return impl_->MakeBound(s); });
}

Result<BoundHistogram> Histogram::Bind(const LabelSet& labels) const {
  return BindSeries(impl_, labels, [&](auto* s) { return impl_->MakeBound(s); });
}

const MetricDescriptor& Histogram::descriptor() const {
  return impl_ ? impl_->descriptor() : NoDescriptor();
}

}  // namespace tai

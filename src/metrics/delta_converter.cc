#include "metrics/delta_converter.h"

namespace tai::internal {
namespace {

bool IsCumulativeSum(const MetricData& m) {
  return m.kind == InstrumentKind::kCounter || m.kind == InstrumentKind::kObservedCounter ||
         m.kind == InstrumentKind::kHistogram ||
         (m.kind == InstrumentKind::kWrittenPoint &&
          m.descriptor->value_type != MetricType::kGauge);
}

MetricValue Difference(const MetricValue& cur, const MetricValue& prev) {
  if (cur.is_int64() && prev.is_int64()) {
    return cur.int64() >= prev.int64() ? MetricValue(cur.int64() - prev.int64()) : cur;
  }
  if (cur.is_double() && prev.is_double()) {
    return cur.dbl() >= prev.dbl() ? MetricValue(cur.dbl() - prev.dbl()) : cur;
  }
  if (cur.is_distribution() && prev.is_distribution()) {
    const DistributionValue& c = cur.distribution();
    const DistributionValue& p = prev.distribution();
    if (c.histogram && p.histogram && c.count >= p.count) {
      return DistributionValue::FromHistogram(
          std::make_shared<HistogramData>(c.histogram->DeltaSince(*p.histogram)));
    }
  }
  return cur;
}

}  // namespace

std::shared_ptr<const MetricBatch> DeltaConverter::Convert(const MetricBatch& cumulative) {
  auto out = std::make_shared<MetricBatch>();
  out->resource = cumulative.resource;
  out->time_nanos = cumulative.time_nanos;
  out->metrics.reserve(cumulative.metrics.size());
  for (const MetricData& m : cumulative.metrics) {
    if (!IsCumulativeSum(m)) {
      out->metrics.push_back(m);
      continue;
    }
    MetricData d;
    d.descriptor = m.descriptor;
    d.kind = m.kind;
    d.temporality = Temporality::kDelta;
    d.points.reserve(m.points.size());
    for (const MetricPoint& p : m.points) {
      std::string key = m.descriptor->metric_type;
      key += '\0';
      key += p.labels.ToString();
      auto it = previous_.find(key);
      MetricPoint delta = p;
      if (it != previous_.end() && it->second.start_time_nanos == p.start_time_nanos) {
        delta.value = Difference(p.value, it->second.value);
        delta.start_time_nanos = it->second.time_nanos;
        it->second = p;
      } else {
        previous_.insert_or_assign(std::move(key), p);
      }
      d.points.push_back(std::move(delta));
    }
    out->metrics.push_back(std::move(d));
  }
  return out;
}

}  // namespace tai::internal

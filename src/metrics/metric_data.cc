#include "tai/metrics/metric_data.h"

#include <charconv>
#include <cmath>

#include "core/text.h"

namespace tai {

DistributionValue DistributionValue::FromHistogram(std::shared_ptr<const HistogramData> h) {
  DistributionValue d;
  d.count = h->count();
  d.mean = h->count() ? h->mean() : 0.0;
  d.sum_of_squared_deviation = h->sum_of_squared_deviation();
  d.histogram = std::move(h);
  return d;
}

double DistributionValue::Percentile(double q) const {
  if (histogram) return histogram->Percentile(q);
  std::string key = "p";
  internal::AppendDouble(key, std::round(q * 100 * 1e6) / 1e6);
  auto it = percentiles.find(key);
  return it == percentiles.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

double MetricValue::AsDouble() const {
  if (is_int64()) return static_cast<double>(int64());
  if (is_double()) return dbl();
  return distribution().mean;
}

}  // namespace tai

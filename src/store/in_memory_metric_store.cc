#include "tai/store/in_memory_metric_store.h"

#include <algorithm>
#include <cmath>

namespace tai {
namespace {

constexpr std::pair<const char*, double> kPercentiles[] = {
    {"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}, {"p99.9", 0.999}};

double NearestRank(const std::vector<double>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

MetricStatistics NumberStatistics(std::vector<double> values) {
  MetricStatistics s;
  std::sort(values.begin(), values.end());
  s.count = values.size();
  s.min = values.front();
  s.max = values.back();
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  for (const auto& [name, q] : kPercentiles) s.percentiles[name] = NearestRank(values, q);
  return s;
}

// The latest distribution of every series, merged: buckets when all have
// them, otherwise count-weighted means and the percentiles of the largest.
MetricStatistics DistributionStatistics(const std::vector<const DistributionValue*>& latest) {
  MetricStatistics s;
  bool all_buckets = std::all_of(latest.begin(), latest.end(), [](const DistributionValue* d) {
    return d->histogram != nullptr;
  });
  if (all_buckets) {
    HistogramData merged = *latest.front()->histogram;
    for (size_t i = 1; i < latest.size(); ++i) {
      if (!merged.Merge(*latest[i]->histogram).ok()) all_buckets = false;
    }
    if (all_buckets) {
      s.count = merged.count();
      s.mean = merged.count() ? merged.mean() : 0;
      s.min = merged.min();
      s.max = merged.max();
      for (const auto& [name, q] : kPercentiles) s.percentiles[name] = merged.Percentile(q);
      return s;
    }
  }
  const DistributionValue* largest = latest.front();
  double weighted = 0;
  for (const DistributionValue* d : latest) {
    s.count += d->count;
    weighted += d->mean * static_cast<double>(d->count);
    if (d->count > largest->count) largest = d;
  }
  s.mean = s.count ? weighted / static_cast<double>(s.count) : 0;
  s.min = s.max = std::numeric_limits<double>::quiet_NaN();
  s.percentiles = largest->percentiles;
  return s;
}

// What a stored point holds on the heap, roughly: its labels (each
// collection makes new ones) and, for a distribution, its percentiles and
// buckets.
size_t PointBytes(const StoredPoint& p) {
  size_t bytes = sizeof(StoredPoint) + 32;  // the deque's share and malloc's
  for (const auto& [key, value] : p.labels.labels())
    bytes += key.capacity() + value.capacity() + 64;
  if (const DistributionValue* d = std::get_if<DistributionValue>(&p.value.variant())) {
    bytes += d->percentiles.size() * 64;
    if (d->histogram) {
      bytes += sizeof(HistogramData) +
               8 * (d->histogram->positive().counts.size() +
                    d->histogram->negative().counts.size() + d->histogram->bucket_counts().size());
    }
  }
  return bytes;
}

}  // namespace

InMemoryMetricStore::InMemoryMetricStore(size_t points_per_series, size_t max_series,
                                         size_t max_bytes)
    : points_per_series_(std::max<size_t>(points_per_series, 1)),
      max_series_(max_series),
      max_bytes_(max_bytes) {}

size_t InMemoryMetricStore::PointsThatFitLocked() const {
  if (point_count_ == 0) return points_per_series_;
  const size_t mean_point = std::max<size_t>(bytes_ / point_count_, 1);
  return std::clamp<size_t>(max_bytes_ / (mean_point * series_count_), 1, points_per_series_);
}

Status InMemoryMetricStore::Export(std::shared_ptr<const MetricBatch> batch) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const MetricData& m : batch->metrics) {
    for (const MetricPoint& p : m.points) {
      AppendLocked(m.descriptor->metric_type, {p.labels, p.time_nanos, p.value});
    }
  }
  return Status::Ok();
}

void InMemoryMetricStore::Append(const std::string& metric_type, const StoredPoint& point) {
  std::lock_guard<std::mutex> lock(mu_);
  AppendLocked(metric_type, point);
}

void InMemoryMetricStore::AppendLocked(const std::string& metric_type, const StoredPoint& point) {
  SeriesMap& series = metrics_[metric_type];
  std::string key = point.labels.ToString();
  auto it = series.find(key);
  if (it == series.end()) {
    if (series_count_ >= max_series_) {
      ++dropped_series_;
      return;
    }
    ++series_count_;
    it = series.emplace(std::move(key), Series{point.labels, {}}).first;
  }
  auto& points = it->second.points;
  if (!points.empty() && points.back().time_nanos == point.time_nanos) return;
  points.push_back(point);
  bytes_ += PointBytes(point);
  ++point_count_;
  const size_t keep = PointsThatFitLocked();
  while (points.size() > keep) {
    bytes_ -= PointBytes(points.front());
    --point_count_;
    if (keep < points_per_series_) ++evicted_points_;
    points.pop_front();
  }
}

uint64_t InMemoryMetricStore::evicted_points() const {
  std::lock_guard<std::mutex> lock(mu_);
  return evicted_points_;
}

size_t InMemoryMetricStore::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

std::optional<StoredPoint> InMemoryMetricStore::Latest(std::string_view metric_type) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto m = metrics_.find(metric_type);
  if (m == metrics_.end()) return std::nullopt;
  const StoredPoint* best = nullptr;
  for (const auto& [key, s] : m->second) {
    if (!s.points.empty() && (!best || s.points.back().time_nanos > best->time_nanos)) {
      best = &s.points.back();
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

std::vector<StoredPoint> InMemoryMetricStore::Query(std::string_view metric_type,
                                                    size_t limit) const {
  std::vector<StoredPoint> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto m = metrics_.find(metric_type);
    if (m == metrics_.end()) return out;
    for (const auto& [key, s] : m->second) out.insert(out.end(), s.points.begin(), s.points.end());
  }
  std::stable_sort(out.begin(), out.end(), [](const StoredPoint& a, const StoredPoint& b) {
    return a.time_nanos < b.time_nanos;
  });
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<ptrdiff_t>(limit));
  return out;
}

Result<MetricStatistics> InMemoryMetricStore::Statistics(std::string_view metric_type) const {
  std::vector<double> numbers;
  std::vector<DistributionValue> latest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto m = metrics_.find(metric_type);
    if (m != metrics_.end()) {
      for (const auto& [key, s] : m->second) {
        if (s.points.empty()) continue;
        if (s.points.back().value.is_distribution()) {
          latest.push_back(s.points.back().value.distribution());
        } else {
          for (const StoredPoint& p : s.points) numbers.push_back(p.value.AsDouble());
        }
      }
    }
  }
  if (!latest.empty()) {
    std::vector<const DistributionValue*> ptrs;
    for (const auto& d : latest) ptrs.push_back(&d);
    return DistributionStatistics(ptrs);
  }
  if (numbers.empty()) {
    return NotFoundError("no points stored for metric type '" + std::string(metric_type) + "'");
  }
  return NumberStatistics(std::move(numbers));
}

std::vector<std::string> InMemoryMetricStore::MetricTypes() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [type, series] : metrics_) out.push_back(type);
  return out;
}

uint64_t InMemoryMetricStore::dropped_series() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_series_;
}

}  // namespace tai

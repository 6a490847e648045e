// InMemoryMetricStore: the recent points of every series, kept in memory
// and queried by the original design's calls (latest value, time series,
// statistics, thresholds). It is a MetricSink: the collector feeds it every
// interval, and CloudMonitoring::WriteMetricPoint writes into it at once.
//
// Bounded: at most `points_per_series` points per series (oldest dropped
// first), `max_series` series (new series past that are dropped and
// counted), and about `max_bytes` in all: past it every series keeps the
// same, smaller number of recent points (at least one), so a service with
// many histogram series holds minutes of points rather than 1000 each. A
// point whose time equals its series' last point is the same point seen
// again and is not stored twice.
//
// Owned by Observability or CloudMonitoring. Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tai/metrics/metric_data.h"
#include "tai/metrics/metric_sink.h"

namespace tai {

struct StoredPoint {
  LabelSet labels;
  int64_t time_nanos = 0;
  MetricValue value;
};

// Statistics over the stored points of one metric type. For numbers: over
// the point values. For distributions: over the values they describe (the
// latest point of each series, merged).
struct MetricStatistics {
  uint64_t count = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  std::map<std::string, double> percentiles;  // "p50", "p90", "p95", "p99", "p99.9"
};

class InMemoryMetricStore : public MetricSink {
 public:
  explicit InMemoryMetricStore(size_t points_per_series = 1000, size_t max_series = 10000,
                               size_t max_bytes = 16 << 20);

  std::string name() const override { return "memory-store"; }
  Status Export(std::shared_ptr<const MetricBatch> batch) override;
  // Stores one point of `metric_type`.
  void Append(const std::string& metric_type, const StoredPoint& point);

  // The most recent point of any series of the type.
  std::optional<StoredPoint> Latest(std::string_view metric_type) const;
  // Up to `limit` most recent points over all series of the type, oldest first.
  std::vector<StoredPoint> Query(std::string_view metric_type, size_t limit) const;
  // NOT_FOUND when the type has no points.
  Result<MetricStatistics> Statistics(std::string_view metric_type) const;
  std::vector<std::string> MetricTypes() const;
  uint64_t dropped_series() const;
  // Points dropped early to stay within max_bytes.
  uint64_t evicted_points() const;
  // The estimated bytes the points take.
  size_t bytes() const;

 private:
  struct Series {
    LabelSet labels;
    std::deque<StoredPoint> points;
  };
  using SeriesMap = std::unordered_map<std::string, Series>;  // by LabelSet::ToString()

  void AppendLocked(const std::string& metric_type, const StoredPoint& point);
  // Points per series that fit in max_bytes at today's mean point size.
  size_t PointsThatFitLocked() const;

  const size_t points_per_series_;
  const size_t max_series_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::map<std::string, SeriesMap, std::less<>> metrics_;
  size_t series_count_ = 0;
  size_t point_count_ = 0;
  size_t bytes_ = 0;
  uint64_t dropped_series_ = 0;
  uint64_t evicted_points_ = 0;
};

}  // namespace tai

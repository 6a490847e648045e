// MetricRegistry: creates instruments from descriptors, owns every series,
// and snapshots them all into a MetricBatch on Collect().
//
// Owned by the application or by tai::Observability; instruments it made are
// valid while it lives. Thread-safe: create, record and collect from any
// thread. Creating an instrument that exists returns it again when the kind,
// unit and label keys agree, and an ALREADY_EXISTS error naming both
// definitions when they do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tai/core/status.h"
#include "tai/metrics/metric_data.h"
#include "tai/metrics/metrics.h"

namespace tai {

namespace internal {
class MetricImpl;
class CallbackMetric;
class WrittenMetric;
}  // namespace internal

struct MetricRegistryOptions {
  // Series per metric before new label sets go to the overflow series.
  size_t cardinality_limit = 2000;
};

class MetricRegistry {
 public:
  explicit MetricRegistry(MetricRegistryOptions options = {},
                          std::shared_ptr<const Resource> resource = nullptr);
  ~MetricRegistry();
  MetricRegistry(const MetricRegistry&) = delete;
  MetricRegistry& operator=(const MetricRegistry&) = delete;

  // value_type may be left kUnspecified; if set it must match the instrument
  // (CUMULATIVE for counters, GAUGE for gauges and up-down counters,
  // DISTRIBUTION for histograms).
  Result<Counter> CreateCounter(MetricDescriptor d);
  Result<DoubleCounter> CreateDoubleCounter(MetricDescriptor d);
  Result<UpDownCounter> CreateUpDownCounter(MetricDescriptor d);
  Result<DoubleUpDownCounter> CreateDoubleUpDownCounter(MetricDescriptor d);
  Result<Gauge> CreateGauge(MetricDescriptor d);
  Result<Histogram> CreateHistogram(MetricDescriptor d, HistogramOptions options = {});

  // Callbacks run on the collecting thread at each collection; they must be
  // quick and must not call back into this registry. A callback that throws
  // is counted in tai_metric_callback_errors_total and skipped.
  // Returns an id for RemoveCallback.
  Result<uint64_t> CreateCallbackGauge(MetricDescriptor d, ObserveCallback callback);
  Result<uint64_t> CreateCallbackCounter(MetricDescriptor d, ObserveCallback callback);
  void RemoveCallback(uint64_t id);

  // Whole points, as the original design's write_metric_point: the metric is
  // registered on first use (GAUGE for numbers, DISTRIBUTION for
  // distributions) unless RegisterDescriptor came first; a point of the
  // wrong kind is an error. The latest point per series is exported.
  Status RegisterDescriptor(MetricDescriptor d);
  Status WritePoint(std::string_view metric_type, const MetricValue& value, const LabelSet& labels,
                    int64_t time_nanos);

  std::shared_ptr<const MetricDescriptor> FindDescriptor(std::string_view metric_type) const;
  std::vector<std::shared_ptr<const MetricDescriptor>> Descriptors() const;

  // A cumulative snapshot of every series, plus the registry's own tai_*
  // metrics, which are collected last so they count what this collection
  // saw. Drains histogram shards; safe to call from several threads.
  std::shared_ptr<const MetricBatch> Collect();

  const std::shared_ptr<const Resource>& resource() const { return resource_; }
  const MetricRegistryOptions& options() const { return options_; }

 private:
  template <typename Impl, typename... Args>
  Result<Impl*> GetOrCreate(MetricDescriptor d, MetricType expected, InstrumentKind kind,
                            Args&&... args);
  Result<uint64_t> AddCallback(MetricDescriptor d, MetricType expected, InstrumentKind kind,
                               size_t series_limit, ObserveCallback callback);
  void AddSelfMetric(MetricDescriptor d, ObserveCallback callback);
  Result<internal::WrittenMetric*> WrittenMetricFor(std::string_view metric_type,
                                                    const MetricValue& value);

  const MetricRegistryOptions options_;
  const std::shared_ptr<const Resource> resource_;
  const int64_t start_nanos_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<internal::MetricImpl>> metrics_;
  std::unordered_map<std::string, internal::MetricImpl*> by_type_;
  uint64_t next_callback_id_ = 1;

  Histogram collection_seconds_;
  std::atomic<uint64_t> callback_errors_{0};
};

}  // namespace tai

// MetricSink: where collected metric batches go (OTLP, Cloud Monitoring, the
// local store, tests). The collector calls Export on its own thread, one
// batch at a time, in order; a sink that talks to a network must queue and
// return quickly rather than hold the collector.
//
// InMemoryMetricSink keeps the most recent batches, for tests and for
// reading back what was exported. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tai/core/status.h"
#include "tai/metrics/metric_data.h"

namespace tai {

class MetricSink {
 public:
  virtual ~MetricSink() = default;
  virtual std::string name() const = 0;
  // The sink's preferred temporality; the collector converts for it.
  virtual Temporality temporality() const { return Temporality::kCumulative; }
  virtual Status Export(std::shared_ptr<const MetricBatch> batch) = 0;
  // Sends whatever the sink still holds, within `timeout`.
  virtual Status Flush(std::chrono::milliseconds /*timeout*/) { return Status::Ok(); }
};

class InMemoryMetricSink : public MetricSink {
 public:
  explicit InMemoryMetricSink(Temporality temporality = Temporality::kCumulative,
                              size_t keep_batches = 64)
      : temporality_(temporality), keep_(keep_batches) {}

  std::string name() const override { return "memory"; }
  Temporality temporality() const override { return temporality_; }
  Status Export(std::shared_ptr<const MetricBatch> batch) override;

  std::vector<std::shared_ptr<const MetricBatch>> batches() const;
  std::shared_ptr<const MetricBatch> last() const;
  size_t exported() const;

 private:
  const Temporality temporality_;
  const size_t keep_;
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<const MetricBatch>> batches_;
  size_t exported_ = 0;
};

}  // namespace tai

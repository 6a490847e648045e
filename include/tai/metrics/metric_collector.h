// MetricCollector: the background thread that snapshots a MetricRegistry
// every interval (default 10 s) and hands the immutable batch to each sink,
// converted to the temporality the sink asks for (cumulative or delta).
//
// Owned by tai::Observability or the application; the registry must outlive
// it. Thread-safe. Stop() makes a last collection so nothing recorded before
// shutdown is lost, then flushes every sink within the deadline.
//
// Self-metrics: tai_metric_exports_total{sink} and
// tai_metric_export_errors_total{sink}.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tai/metrics/metric_registry.h"
#include "tai/metrics/metric_sink.h"

namespace tai {

namespace internal {
class DeltaConverter;
}

class MetricCollector {
 public:
  MetricCollector(MetricRegistry& registry, std::chrono::milliseconds interval);
  ~MetricCollector();
  MetricCollector(const MetricCollector&) = delete;
  MetricCollector& operator=(const MetricCollector&) = delete;

  void AddSink(std::shared_ptr<MetricSink> sink);
  Status Start();
  // Last collection, flush, stop. Idempotent.
  void Stop(std::chrono::milliseconds deadline);
  // One collection and export now, on the calling thread.
  void CollectNow();

 private:
  struct SinkState;
  void Run();
  std::vector<SinkState*> Sinks();

  MetricRegistry& registry_;
  const std::chrono::milliseconds interval_;
  std::mutex round_mu_;  // one collect-and-export round at a time
  std::mutex sinks_mu_;  // guards sinks_ (entries are never removed)
  std::vector<std::unique_ptr<SinkState>> sinks_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  uint64_t callback_exports_ = 0;
  uint64_t callback_errors_ = 0;
};

}  // namespace tai

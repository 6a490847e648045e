#include "export/delivery/delivery_metrics.h"

#include <memory>

#include "metrics/self_metric_descriptor.h"

namespace tai::internal {
std::vector<uint64_t> RegisterDeliveryMetrics(
    MetricRegistry& registry, std::vector<std::shared_ptr<const DeliveryStatsSource>> sources) {
  auto shared = std::make_shared<const std::vector<std::shared_ptr<const DeliveryStatsSource>>>(
      std::move(sources));
  // Reads every queue once per callback; the figures of one collection may
  // come from slightly different moments, which gauges and counters allow.
  auto each = [shared](auto observe) {
    return [shared, observe](Observer& o) {
      for (const auto& source : *shared) observe(o, source->name(), source->delivery_stats());
    };
  };
  std::vector<uint64_t> ids;
  auto add = [&](Result<uint64_t> id) {
    if (id.ok()) ids.push_back(*id);
  };
  add(registry.CreateCallbackGauge(
      SelfMetricDescriptor("tai_export_queue_bytes", MetricType::kGauge,
                           "Bytes of requests waiting for delivery", {"sink", "where"}),
      each([](Observer& o, const std::string& sink, const DeliveryStats& s) {
        o.Observe(s.memory_bytes, {{"sink", sink}, {"where", "memory"}});
        o.Observe(s.disk_bytes, {{"sink", sink}, {"where", "disk"}});
      })));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor(
          "tai_export_requests", MetricType::kCumulative,
          "Export requests by outcome: delivered, rejected by the backend, or dropped "
          "because neither memory nor disk had room",
          {"sink", "outcome"}),
      each([](Observer& o, const std::string& sink, const DeliveryStats& s) {
        o.Observe(s.delivered, {{"sink", sink}, {"outcome", "delivered"}});
        o.Observe(s.rejected, {{"sink", sink}, {"outcome", "rejected"}});
        o.Observe(s.dropped, {{"sink", sink}, {"outcome", "dropped"}});
      })));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_export_failed_attempts", MetricType::kCumulative,
                           "Delivery attempts that failed and will be retried", {"sink"}),
      each([](Observer& o, const std::string& sink, const DeliveryStats& s) {
        o.Observe(s.attempts_failed, {{"sink", sink}});
      })));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_export_spilled_requests", MetricType::kCumulative,
                           "Requests written to the spill directory", {"sink"}),
      each([](Observer& o, const std::string& sink, const DeliveryStats& s) {
        o.Observe(s.spilled, {{"sink", sink}});
      })));
  return ids;
}

}  // namespace tai::internal
